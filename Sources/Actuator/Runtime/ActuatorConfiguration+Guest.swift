import Features
import Hypervisor
import PSMConfiguration

/// What a real guest needs from `[[actuator.groups]]`: how its shadows boot, the virtualization
/// type, the machine type and where their serial consoles go (docs/configuration.md).
struct GuestSettings {
    /// The keys this reads (the group table's allowed keys include them).
    static let keys = ["kernel", "initrd", "cmdline", "virtualization", "machine", "serial_log_dir", "network"]

    var boot: DomainSpec.Boot = .none
    var virtualization: DomainSpec.Virtualization?
    var machine: String?
    var serialLogDirectory: String?
    var network: DomainSpec.Network?

    /// Reads the keys of one group table; paths go through `resolve` (relative to the config file).
    init(_ g: TOMLSection, resolve: (String) -> String) throws(ConfigurationError) {
        let kernel = try g.string("kernel")
        let initrd = try g.string("initrd")
        let cmdline = try g.string("cmdline")
        if let kernel {
            guard !kernel.isEmpty else { throw g.error(.invalidValue, key: "kernel", "must name a kernel image file") }
            if let initrd, initrd.isEmpty { throw g.error(.invalidValue, key: "initrd", "must name an initramfs file (or leave the key out)") }
            boot = .kernel(path: resolve(kernel), initrd: initrd.map(resolve), commandLine: cmdline)
        } else if initrd != nil || cmdline != nil {
            throw g.error(.missingKey, key: "kernel", "initrd and cmdline apply to a direct kernel boot: set kernel too")
        }
        if let text = try g.string("virtualization") {
            guard let v = DomainSpec.Virtualization(rawValue: text) else {
                throw g.error(.invalidValue, key: "virtualization", "expected \"qemu\" (TCG), \"kvm\" or \"test\", got \"\(text)\"")
            }
            virtualization = v
        }
        if let m = try g.string("machine") {
            guard !m.isEmpty, m.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else {
                throw g.error(.invalidValue, key: "machine", "expected a machine type such as \"q35\", got \"\(m)\"")
            }
            machine = m
        }
        if let dir = try g.string("serial_log_dir") {
            guard !dir.isEmpty else { throw g.error(.invalidValue, key: "serial_log_dir", "must name a directory (or leave the key out)") }
            serialLogDirectory = resolve(dir)
        }
        if let text = try g.string("network") {
            network = try Self.network(text, g)
        }
    }

    /// `"user"`, `"bridge:NAME"` (a host bridge) or `"network:NAME"` (a libvirt virtual network).
    private static func network(_ text: String, _ g: TOMLSection) throws(ConfigurationError) -> DomainSpec.Network {
        if text == "user" { return .user }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let nameOK = parts.count == 2 && !parts[1].isEmpty
            && parts[1].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        switch parts.first {
        case "bridge" where nameOK: return .bridge(parts[1])
        case "network" where nameOK: return .network(parts[1])
        default:
            throw g.error(.invalidValue, key: "network",
                          "expected \"user\", \"bridge:NAME\" or \"network:NAME\" (letters, digits, '-', '_', '.'), got \"\(text)\"")
        }
    }

    /// `template` with these settings applied.
    func apply(to template: ShadowTemplate) -> ShadowTemplate {
        var t = template
        t.boot = boot
        t.virtualization = virtualization
        t.machine = machine
        t.serialLogDirectory = serialLogDirectory
        t.network = network
        return t
    }
}
