import Evaluation
import Foundation
import Pipeline
import Testing
import TimeSeries

/// `[forecast] lower` / `upper`: demand is non-negative by default; a percentage can say 100.
@Suite struct BoundsConfigurationTests {
    @Test func demandIsNonNegativeByDefaultAndTheBacktestCarriesIt() throws {
        let c = try TrainingConfiguration.parse(ConfigurationTests.minimal, fileName: "psm.toml")
        #expect(c.bounds == SupportBounds(lower: 0))
        #expect(c.backtest.bounds == SupportBounds(lower: 0))
    }

    @Test func lowerAndUpperAreReadAndNoneRemovesABound() throws {
        let text = ConfigurationTests.minimal.replacingOccurrences(of: "horizon = 12", with: "horizon = 12\nlower = 0\nupper = 100")
        let c = try TrainingConfiguration.parse(text, fileName: "psm.toml")
        #expect(c.bounds == SupportBounds(lower: 0, upper: 100))
        let none = ConfigurationTests.minimal.replacingOccurrences(of: "horizon = 12", with: "horizon = 12\nlower = \"none\"")
        let unbounded = try TrainingConfiguration.parse(none, fileName: "psm.toml")
        #expect(unbounded.bounds.isUnbounded && unbounded.backtest.bounds == nil)
    }

    @Test func badBoundsAreNamed() {
        func error(_ keys: String) -> String? {
            let text = ConfigurationTests.minimal.replacingOccurrences(of: "horizon = 12", with: "horizon = 12\n" + keys)
            do { _ = try TrainingConfiguration.parse(text, fileName: "psm.toml"); return nil } catch { return "\(error)" }
        }
        #expect(error("lower = 100\nupper = 0")?.hasPrefix("psm.toml: [forecast] upper:") == true)
        #expect(error("lower = \"zero\"")?.hasPrefix("psm.toml: [forecast] lower:") == true)
        #expect(error("lower = true")?.hasPrefix("psm.toml: [forecast] lower:") == true)
    }

    @Test func aGroupCanDeclareItsOwnBounds() throws {
        let text = ConfigurationTests.minimal + "\nupper = 1000\n[forecast.groups.ec2]\nupper = 100\n[forecast.groups.raw]\nlower = \"none\"\n"
        let c = try TrainingConfiguration.parse(text, fileName: "psm.toml")
        #expect(c.bounds(for: "ec2") == SupportBounds(lower: 0, upper: 100))
        #expect(c.bounds(for: "raw") == SupportBounds(lower: nil, upper: 1000))
        #expect(c.bounds(for: "web") == SupportBounds(lower: 0, upper: 1000))
        func error(_ keys: String) -> String? {
            do { _ = try TrainingConfiguration.parse(ConfigurationTests.minimal + "\n[forecast.groups.ec2]\n" + keys, fileName: "psm.toml"); return nil }
            catch { return "\(error)" }
        }
        #expect(error("uper = 100")?.contains("[forecast.groups.ec2]") == true)
        #expect(error("lower = 100\nupper = 0")?.hasPrefix("psm.toml: [forecast.groups.ec2] upper:") == true)
    }
}
