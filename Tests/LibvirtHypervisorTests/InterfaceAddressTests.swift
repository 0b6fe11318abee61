import Foundation
import Hypervisor
import LibvirtHypervisor
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
