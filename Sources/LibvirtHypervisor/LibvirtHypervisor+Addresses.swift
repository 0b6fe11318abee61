import CLibvirt
import Foundation
import Hypervisor

/// Where a domain can be reached: `virDomainInterfaceAddresses`, one source after another.
extension LibvirtHypervisor {
    /// The sources asked, in order: libvirt's DHCP leases (a guest on a libvirt network), the
    /// host's ARP table (bridged guests that have talked), the QEMU guest agent.
    /// On a local connection the kernel's `/proc/net/arp` follows them (see below).
    static let addressSources: [(name: String, source: UInt32)] = [
        ("lease", UInt32(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE.rawValue)),
        ("arp", UInt32(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP.rawValue)),
        ("agent", UInt32(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT.rawValue)),
    ]

    public func interfaceAddresses(_ name: String) throws(HypervisorError) -> [String] {
        try withDomain("interfaceAddresses", name) { domain throws(HypervisorError) in
            for (_, source) in Self.addressSources {
                var interfaces: UnsafeMutablePointer<virDomainInterfacePtr?>?
                let count = virDomainInterfaceAddresses(domain, &interfaces, source, 0)
                guard count >= 0 else {
                    // A source the driver does not support, an agent that is not there, a guest
                    // not running: this source knows nothing; a lost connection is an error.
                    let error = LibvirtErrorMapping.error(NativeError.take(), operation: "interfaceAddresses", domain: name)
                    if error.code == .connectionLost || error.code == .notFound { throw error }
                    continue
                }
                var v4: [String] = []
                var v6: [String] = []
                for i in 0..<Int(count) {
                    guard let interface = interfaces?[i] else { continue }
                    defer { virDomainInterfaceFree(interface) }
                    let iface = interface.pointee
                    for a in 0..<Int(iface.naddrs) {
                        guard let text = iface.addrs?[a].addr.map({ String(cString: $0) }), !text.isEmpty else { continue }
                        if iface.addrs?[a].type == Int32(VIR_IP_ADDR_TYPE_IPV6.rawValue) {
                            if text != "::1", !text.lowercased().hasPrefix("fe80:") { v6.append(text) }
                        } else if !text.hasPrefix("127.") {
                            v4.append(text)
                        }
                    }
                }
                free(interfaces)
                if !(v4.isEmpty && v6.isEmpty) { return v4 + v6 }
            }
            // libvirt 9.0's ARP source fails on newer kernels ("internal error: wrong nlmsg len",
            // docs/realvm.md); on a local connection the kernel's table says the same thing.
            guard Self.isLocal(uri), let xml = virDomainGetXMLDesc(domain, 0) else { return [] }
            defer { free(xml) }
            return Self.neighbours(of: Self.macAddresses(inDomainXML: String(cString: xml)))
        }
    }

    /// Whether `uri` names this machine's hypervisor (no host part: `qemu:///system`).
    static func isLocal(_ uri: String) -> Bool {
        guard let scheme = uri.range(of: "://") else { return false }
        return uri[scheme.upperBound...].hasPrefix("/")
    }

    /// The `<mac address='…'/>` of every interface in a domain's XML, lower-cased.
    static func macAddresses(inDomainXML xml: String) -> [String] {
        var found: [String] = []
        var rest = xml[...]
        while let tag = rest.range(of: "<mac address=") {
            let after = rest[tag.upperBound...]
            guard let quote = after.first, quote == "'" || quote == "\"",
                  let end = after.dropFirst().firstIndex(of: quote) else { break }
            found.append(after[after.index(after: after.startIndex)..<end].lowercased())
            rest = after[end...]
        }
        return found
    }

    /// IPv4 addresses the kernel's neighbour table (`/proc/net/arp`, complete entries) holds for `macs`.
    static func neighbours(of macs: [String], table: String? = try? String(contentsOfFile: "/proc/net/arp", encoding: .utf8)) -> [String] {
        guard !macs.isEmpty, let table else { return [] }
        let wanted = Set(macs)
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            // IP address, HW type, Flags (0x2: complete), HW address, Mask, Device
            guard f.count >= 4, f[2] == "0x2", wanted.contains(f[3].lowercased()) else { return nil }
            return String(f[0])
        }
    }
}
