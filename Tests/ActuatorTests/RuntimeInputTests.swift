@testable import Actuator
import Features
import Foundation
import MetricStore
import PSMConfiguration
import Scaling
import Testing

@Suite("Actuator configuration and replay input")
struct RuntimeInputTests {
    static let minimal = """
        [registry]
        dir = "Models"
        [actuator]
        [[actuator.groups]]
        name = "web"
        unit = 10
        """

    @Test("a minimal [actuator] section gets the documented defaults")
    func defaults() throws {
        let c = try ActuatorConfiguration.parse(Self.minimal, fileName: "psm.toml", baseDirectory: "/etc/psm")
        #expect(c.registry == "/etc/psm/Models" && c.store == "/etc/psm/psm-actuator.sqlite")
        #expect(c.interval == 300 && c.horizon == 12 && c.maximumActions == 20 && c.bootGrace == 0)
        #expect(c.hosts.map(\.name) == ["local"] && c.hosts.first?.uri == "test:///default")
        #expect(c.groups.first?.template.units == 10 && c.groups.first?.template.park == .pause)
        #expect(abs(c.sizing.costs.criticalRatio - 10 / 10.5) < 1e-12)
        #expect(c.trigger.utilisationThreshold == 0.8 && c.trigger.forecastLevel == 0.5)
        #expect(c.storeDurability == .process)
        let durable = try ActuatorConfiguration.parse(Self.minimal.replacingOccurrences(of: "[actuator]\n", with: "[actuator]\nstore_durability = \"power-loss\"\n"),
                                                      fileName: "psm.toml")
        #expect(durable.storeDurability == .powerLoss)
        #expect(c.calendarFile == nil)
        // The calendar psm train built event features from is the one the actuator scores with.
        let withCalendar = try ActuatorConfiguration.parse("[calendar]\nfile = \"calendar.toml\"\n" + Self.minimal,
                                                           fileName: "psm.toml", baseDirectory: "/etc/psm")
        #expect(withCalendar.calendarFile == "/etc/psm/calendar.toml")
    }

    @Test("bad keys and values are refused naming the file, the section and the key",
          arguments: [
            ("[actuator]\n[[actuator.groups]]\nname = \"web\"\nunit = 10\n", "registry"),
            (minimal + "\nbogus = 1\n", "bogus"),
            (minimal.replacingOccurrences(of: "unit = 10", with: "unit = -1"), "unit"),
            (minimal.replacingOccurrences(of: "unit = 10", with: "unit = \"ten\""), "unit"),
            (minimal + "\npark = \"freeze\"\n", "park"),
            ("[registry]\ndir = \"M\"\n[actuator]\n", "groups"),
            (minimal + "\n[actuator.trigger]\nutilisation = 1.5\n", "sizing/trigger"),
            (minimal + "\n[actuator.costs]\nmiss = 0\n", "actuator.costs"),
            ("[actuator\n", "line"),
            (minimal.replacingOccurrences(of: "[actuator]\n", with: "[actuator]\nstore_durability = \"fsync\"\n"), "store_durability"),
          ])
    func badInput(text: String, key: String) {
        do {
            _ = try ActuatorConfiguration.parse(text, fileName: "psm.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix("psm.toml"), "\(error)")
            #expect(error.description.contains(key), "\(error) should name \(key)")
        }
    }

    /// Found by the fuzzer (actuator-toml): toml++ aborted the process on these (Vendor/TOMLKit/PSM-PATCH.md).
    @Test("malformed TOML in psm.toml is a syntax error naming the file, not an abort",
          arguments: ["[+inf]\ndir = \"Models\"\n", "[actuator]\nlevels = [\u{2028}0.5]\n", "[actuator]\ninterval = 1979-05-27Tz07:32:00\n"])
    func malformedTOML(text: String) {
        #expect { try ActuatorConfiguration.parse(text, fileName: "psm.toml") } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.code == .syntax && e.description.hasPrefix("psm.toml: ") && e.description.contains("cannot read this text")
        }
    }

    @Test("a replay trace is read in any row order, with NaN as a missing interval and the interval inferred")
    func replayTrace() throws {
        let trace = try ReplayTrace.parse("""
            series_id,timestamp,value
            web,2026-01-01T00:10:00Z,3
            web,2026-01-01T00:00:00Z,1
            api,2026-01-01T00:05:00Z,NaN
            web,2026-01-01T00:05:00Z,2
            """, file: "t.csv")
        #expect(trace.groups == ["api", "web"] && trace.interval == 300)
        #expect(trace.steps.map { $0.demand["web"] } == [1, 2, 3])
        #expect(trace.steps[1].demand["api"]?.isNaN == true)
    }

    @Test("malformed replay rows are refused with file and line",
          arguments: [
            ("series_id,timestamp\nweb,1\n", "t.csv:1:"),
            ("series_id,timestamp,value\nweb,yesterday,1\n", "t.csv:2:"),
            ("series_id,timestamp,value\nweb,100,-3\n", "t.csv:2:"),
            ("series_id,timestamp,value\nweb,100,abc\n", "t.csv:2:"),
            ("series_id,timestamp,value\nweb,100,1\nweb,100,2\n", "t.csv:3:"),
            ("series_id,timestamp,value\nweb,100\n", "t.csv:2:"),
            ("series_id,timestamp,value\n", "no data rows"),
            ("", "empty"),
            // Found writing the fuzzer's replay-csv target (docs/fuzzing.md): the interval between these overflowed Int64, a trap.
            ("series_id,timestamp,value\nweb,-9223372036854775808,1\nweb,9223372036854775807,2\n", "t.csv:2: timestamp -9223372036854775808 is outside"),
            ("series_id,timestamp,value\nweb,0,1\nweb,1000000000000,2\n", "t.csv:3: timestamp 1000000000000 is outside"),
          ])
    func badReplay(text: String, expected: String) {
        #expect { try ReplayTrace.parse(text, file: "t.csv") } throws: { "\($0)".contains(expected) }
    }
}
