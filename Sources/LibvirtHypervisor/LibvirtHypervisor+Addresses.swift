import CLibvirt
import Foundation
import Hypervisor

/// Where a domain can be reached: `virDomainInterfaceAddresses`, one source after another.
extension LibvirtHypervisor {
    /// The sources asked, in order: libvirt's DHCP leases (a guest on a libvirt network), the
    /// host's ARP table (bridged guests that have talked), the QEMU guest agent.
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
            return []
        }
    }
}
