import Foundation
@testable import Actuator
import Features
import Foundation
import MetricStore
import PSMConfiguration
import Scaling
import Testing

/// Out-of-range numbers, NUL bytes and misspelt sections in `[actuator]`: each a configuration
/// error naming the key, never a trap (hardening issue, items 2, 5 and 6).
@Suite struct ConfigurationBoundsTests {
    static func config(actuator: String = "", group: String = "", tail: String = "") -> String {
        """
        [actuator]
        registry = "Models"
        \(actuator)

        [[actuator.groups]]
        name = "web"
        unit = 10
        \(group)
        \(tail)
        """
    }

    static func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try ActuatorConfiguration.parse(text, fileName: "psm.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("interval = 9223372036854775807", "[actuator] interval", "from 1 to 86400"),
        ("horizon = 100000000", "[actuator] horizon", "from 1 to 10000"),
        ("max_actions = 0", "[actuator] max_actions", "from 1 to 10000"),
        ("boot_grace = -1", "[actuator] boot_grace", "from 0 to 3600"),
        ("host_grace = -1", "[actuator] host_grace", "from 0 to 86400"),
        ("host_grace = \"90x\"", "[actuator] host_grace", "\"90s\", \"5m\" or \"1h\""),
        ("host_grace = \"25h\"", "[actuator] host_grace", "from 0 to 86400"),
        ("host_grace = \"-5m\"", "[actuator] host_grace", "from 0 to 86400"),
        ("host_grace = \"\"", "[actuator] host_grace", "from 0 to 86400"),
        ("host_grace = 1.5", "[actuator] host_grace", "string"),
        ("levels = [0.5, nan]", "[actuator] levels", "finite"),
        ("lease = 1", "[actuator] lease", "from 2 to 3600"),
        ("lease = \"2h\"", "[actuator] lease", "from 2 to 3600"),
        ("id = \"\"", "[actuator] id", "1 to 200 characters without spaces"),
        ("id = \"two words\"", "[actuator] id", "without spaces"),
    ])
    func actuatorKeysOutOfRangeAreRefusedByName(line: String, location: String, range: String) throws {
        let e = try #require(Self.error(Self.config(actuator: line)), "\(line) was accepted")
        #expect(e.location == location)
        #expect(e.message.contains(range), "\(e)")
    }

    @Test(arguments: [
        ("memory_mib = 9223372036854775807", "memory_mib", "from 16 to 16777216"),
        ("vcpus = 100000", "vcpus", "from 1 to 1024"),
        ("running = inf", "running", "from 0 to 1000000000"),
        ("units_per_metric = nan", "units_per_metric", "above 0"),
        ("baseline_vcpu_fraction = 1.5", "baseline_vcpu_fraction", "above 0 and at most 1"),
        ("max = 9223372036854775807", "max", "from 0 to 100000"),
    ])
    func groupKeysOutOfRangeAreRefusedByName(line: String, key: String, range: String) throws {
        let e = try #require(Self.error(Self.config(group: line)), "\(line) was accepted")
        #expect(e.location == "[actuator.groups[1]] \(key)")
        #expect(e.message.contains(range), "\(e)")
    }

    @Test func leasesAreOnWithPostgreSQLOrWhenSetAndTheIdDefaultsToHostAndPid() throws {
        let plain = try ActuatorConfiguration.parse(Self.config(), fileName: "psm.toml")
        #expect(plain.leasePeriod == nil && plain.leaseSeconds == nil)
        #expect(plain.actuatorID == "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
        let shared = try ActuatorConfiguration.parse(Self.config(actuator: "store = \"postgres:///psm?host=/tmp\""), fileName: "psm.toml")
        #expect(shared.leasePeriod == 15)
        let set = try ActuatorConfiguration.parse(Self.config(actuator: "lease = \"1m\"\nid = \"rack7-a\""), fileName: "psm.toml")
        #expect(set.leasePeriod == 60 && set.actuatorID == "rack7-a")
    }

    @Test func hostGraceTakesSecondsOrAUnitAndHostCapsAreOptional() throws {
        for (line, seconds) in [("", Int64(90)), ("host_grace = 30", 30), ("host_grace = \"90s\"", 90), ("host_grace = \"5m\"", 300),
                                ("host_grace = \"1h\"", 3600), ("host_grace = \"0s\"", 0)] {
            #expect(try ActuatorConfiguration.parse(Self.config(actuator: line), fileName: "psm.toml").hostGrace == seconds, "\(line)")
        }
        let hosts = try ActuatorConfiguration.parse(Self.config(tail: """
            [[actuator.hosts]]
            name = "a"
            uri = "qemu+ssh://a/system"
            [[actuator.hosts]]
            name = "b"
            uri = "qemu+tls://b/system"
            vcpus = 32
            memory_mib = 65536
            units = 500
            """), fileName: "psm.toml").hosts
        #expect(hosts[0].capVCPUs == nil && hosts[0].capMemoryMiB == nil && hosts[0].capacity.units == 1000)
        #expect(hosts[1].capVCPUs == 32 && hosts[1].capMemoryMiB == 65_536 && hosts[1].capacity.units == 500)
        #expect(hosts[1].capped(vcpus: 64, memoryMiB: 32_768) == CapacityAmount(vcpus: 32, memoryMiB: 32_768, units: 500))
    }

    @Test func aHugeUnitIsRefusedNotTrapped() throws {
        let text = Self.config().replacingOccurrences(of: "unit = 10", with: "unit = 1e308")
        let e = try #require(Self.error(text))
        #expect(e.location == "[actuator.groups[1]] unit")
        #expect(e.message.contains("at most 1000000"))
    }

    @Test(arguments: [
        ("[actuator.costs]\nmiss = 1e308", "[actuator.costs] miss"),
        ("[actuator.costs]\nlaunch_delay = -inf", "[actuator.costs] launch_delay"),
        ("[actuator.sizing]\ncooldown = 9223372036854775807", "[actuator.sizing] cooldown"),
        ("[actuator.trigger]\nutilisation = nan", "[actuator.trigger] utilisation"),
        ("[actuator.cost_loop]\nwindow = 9223372036854775807", "[actuator.cost_loop] window"),
        ("[[actuator.hosts]]\nname = \"h\"\nmemory_mib = 9223372036854775807", "[actuator.hosts[1]] memory_mib"),
    ])
    func nestedTablesAreCheckedToo(tail: String, location: String) throws {
        let e = try #require(Self.error(Self.config(tail: tail)), "\(tail) was accepted")
        #expect(e.location == location, "\(e)")
    }

    @Test func theLeadWindowIsReadAndCheckedByName() throws {
        let e = try #require(Self.error(Self.config(tail: "[actuator.sizing]\nlead_window = \"peak\"")))
        #expect(e.location == "[actuator.sizing] lead_window" && "\(e)".contains("\"maximum\" or \"largest-step\""), "\(e)")
        let largest = try ActuatorConfiguration.parse(Self.config(tail: "[actuator.sizing]\nlead_window = \"largest-step\""),
                                                      fileName: "psm.toml")
        #expect(largest.sizing.leadWindow == .largestStep)
        #expect(try ActuatorConfiguration.parse(Self.config(), fileName: "psm.toml").sizing.leadWindow == .maximum)
    }

    @Test func anEmptyHypervisorURIIsRefused() throws {
        #expect(Self.error(Self.config(actuator: "hypervisor = \"\""))?.location == "[actuator] hypervisor")
        #expect(Self.error(Self.config(tail: "[[actuator.hosts]]\nname = \"h\"\nuri = \" \""))?.location == "[actuator.hosts[1]] uri")
    }

    @Test func aNULByteIsRefusedWithItsPosition() throws {
        // Without the check, everything after the NUL was silently dropped: here the whole group.
        let text = "[actuator]\nregistry = \"Models\"\n\u{0}garbage\n" + Self.config()
        let e = try #require(Self.error(text))
        #expect(e.code == .syntax)
        #expect(e.message.hasPrefix("line 3, column 1: a NUL byte"), "\(e)")
    }

    @Test func aMisspeltSectionIsRefused() throws {
        let e = try #require(Self.error(Self.config(tail: "[acutator]\ninterval = 5")))
        #expect(e.code == .unknownKey && e.location == "acutator")
    }
}
