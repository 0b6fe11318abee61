@testable import Actuator
import Features
import Hypervisor
import MetricStore
import PSMConfiguration
import Testing

/// The real-guest keys of `[[actuator.groups]]`: kernel, initrd, cmdline, virtualization, machine,
/// serial_log_dir, network (docs/configuration.md), down to the domain definition a shadow gets.
@Suite struct ConfigurationGuestTests {
    static func config(_ group: String) -> String {
        """
        [actuator]
        registry = "Models"

        [[actuator.groups]]
        name = "web"
        unit = 10
        \(group)
        """
    }

    static func parse(_ group: String) throws(ConfigurationError) -> ActuatorConfiguration {
        try ActuatorConfiguration.parse(config(group), fileName: "/etc/psm/psm.toml", baseDirectory: "/etc/psm")
    }

    @Test func realGuestKeysReachTheShadowsDomainDefinition() throws {
        let c = try Self.parse("""
            kernel = "guest/vmlinuz"
            initrd = "/srv/initrd.img"
            cmdline = "console=ttyS0 quiet"
            virtualization = "qemu"
            machine = "q35"
            serial_log_dir = "logs"
            network = "bridge:psmbr0"
            """)
        let t = try #require(c.group("web")?.template)
        // Relative paths resolve against the configuration file's directory, absolute ones stay.
        #expect(t.boot == .kernel(path: "/etc/psm/guest/vmlinuz", initrd: "/srv/initrd.img", commandLine: "console=ttyS0 quiet"))
        #expect(t.virtualization == .qemu)
        #expect(t.machine == "q35")
        #expect(t.serialLogDirectory == "/etc/psm/logs")

        let record = t.record(id: "abc", group: "web", domain: "psm-web-abc", now: 0)
        let spec = t.spec(for: record)
        #expect(spec.boot == t.boot)
        #expect(spec.virtualization == .qemu)
        #expect(spec.machine == "q35")
        #expect(spec.serialLog == "/etc/psm/logs/psm-web-abc.log")
        #expect(spec.network == .bridge("psmbr0"))
    }

    @Test(arguments: [(#"network = "user""#, DomainSpec.Network.user), (#"network = "network:default""#, .network("default"))])
    func theNetworkKeyNamesTheInterface(line: String, network: DomainSpec.Network) throws {
        #expect(try Self.parse(line).group("web")?.template.network == network)
    }

    @Test func withoutTheKeysAShadowBootsNothingAsBefore() throws {
        let t = try #require(try Self.parse("").group("web")?.template)
        #expect(t.boot == .none)
        #expect(t.virtualization == nil && t.machine == nil && t.serialLogDirectory == nil && t.network == nil)
    }

    @Test func aKernelAloneIsEnough() throws {
        let t = try #require(try Self.parse(#"kernel = "/boot/vmlinuz""#).group("web")?.template)
        #expect(t.boot == .kernel(path: "/boot/vmlinuz", initrd: nil, commandLine: nil))
    }

    @Test(arguments: [
        (#"initrd = "i.img""#, "kernel"),
        (#"cmdline = "quiet""#, "kernel"),
        (#"virtualization = "xen""#, "virtualization"),
        (#"machine = "q35; rm""#, "machine"),
        (#"kernel = """#, "kernel"),
        (#"serial_log_dir = """#, "serial_log_dir"),
        ("kernel = 3", "kernel"),
        (#"kernal = "/boot/vmlinuz""#, "kernal"),
        (#"network = "bridge:""#, "network"),
        (#"network = "bridge:br0; rm""#, "network"),
        (#"network = "tap:x""#, "network"),
    ])
    func badGuestKeysAreRefusedNamingTheKey(line: String, key: String) {
        do {
            _ = try Self.parse(line)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.description.contains("actuator.groups[1]"), "\(error)")
            #expect(error.description.contains(key), "\(error)")
        }
    }
}
