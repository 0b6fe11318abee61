import Foundation
import Hypervisor
@testable import LibvirtHypervisor
import Testing

/// `interfaceAddresses` through `virDomainInterfaceAddresses` on libvirt's test driver (a private
/// empty node per test): the driver reports one made-up IPv4 address per interface of a running
/// domain, nothing for a domain without a NIC or one that is not running.
@Suite struct InterfaceAddressTests {
    func open() throws -> (LibvirtHypervisor, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("addr-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = directory.appendingPathComponent("node.xml")
        try "<node/>".write(to: node, atomically: true, encoding: .utf8)
        return (try LibvirtHypervisor(uri: "test://" + node.path), directory)
    }

    func spec(_ name: String, network: DomainSpec.Network?) -> DomainSpec {
        DomainSpec(name: name, maximum: ResourceSize(vcpus: 2, memoryKiB: 262_144), current: ResourceSize(vcpus: 1, memoryKiB: 131_072),
                   network: network)
    }

    @Test func aRunningDomainWithANICHasAnIPv4Address() async throws {
        let (h, dir) = try open()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await h.define(spec("with-nic", network: .user))
        #expect(try await h.interfaceAddresses("with-nic").isEmpty, "not running: no source knows an address")
        try await h.start("with-nic")
        let addresses = try await h.interfaceAddresses("with-nic")
        #expect(addresses.count == 1)
        let first = try #require(addresses.first)
        let octets = first.split(separator: ".")
        #expect(octets.count == 4 && octets.allSatisfy { UInt8($0) != nil }, "\(first)")
        // Paused (a parked shadow) it keeps its interface.
        try await h.suspend("with-nic")
        #expect(try await h.interfaceAddresses("with-nic") == addresses)
    }

    @Test func aDomainWithoutANICHasNoAddressAndAnUnknownOneIsNotFound() async throws {
        let (h, dir) = try open()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await h.define(spec("no-nic", network: nil))
        try await h.start("no-nic")
        #expect(try await h.interfaceAddresses("no-nic").isEmpty)
        await #expect(throws: HypervisorError.self) { _ = try await h.interfaceAddresses("nope") }
        do { _ = try await h.interfaceAddresses("nope") } catch { #expect(error.code == .notFound) }
    }
}

/// The kernel-table fallback of `interfaceAddresses` on local connections (libvirt 9.0's ARP
/// source fails here with "wrong nlmsg len"; docs/realvm.md).
@Suite struct NeighbourTableTests {
    @Test func macAddressesComeFromEveryInterfaceOfTheDomainXML() {
        let xml = """
            <domain><devices>
              <interface type='bridge'><mac address='52:54:00:69:3D:0D'/><source bridge='psmbr0'/></interface>
              <interface type="user"><mac address="52:54:00:aa:bb:cc"/></interface>
            </devices></domain>
            """
        #expect(LibvirtHypervisor.macAddresses(inDomainXML: xml) == ["52:54:00:69:3d:0d", "52:54:00:aa:bb:cc"])
        #expect(LibvirtHypervisor.macAddresses(inDomainXML: "<domain/>").isEmpty)
    }

    @Test func onlyCompleteEntriesOfTheDomainsMACsAreItsAddresses() {
        let table = """
            IP address       HW type     Flags       HW address            Mask     Device
            192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
            10.77.62.15      0x1         0x2         52:54:00:69:3d:0d     *        psmbr0
            10.77.9.9        0x1         0x0         52:54:00:aa:bb:cc     *        psmbr0
            """
        #expect(LibvirtHypervisor.neighbours(of: ["52:54:00:69:3d:0d", "52:54:00:aa:bb:cc"], table: table) == ["10.77.62.15"])
        #expect(LibvirtHypervisor.neighbours(of: [], table: table).isEmpty)
    }

    @Test func onlyAURIWithoutAHostIsLocal() {
        #expect(LibvirtHypervisor.isLocal("qemu:///system"))
        #expect(LibvirtHypervisor.isLocal("test:///default"))
        #expect(!LibvirtHypervisor.isLocal("qemu+ssh://host/system"))
        #expect(!LibvirtHypervisor.isLocal("qemu+tls://10.0.0.1/system"))
    }
}
