import Foundation
@testable import Forecasting
import Testing
import TimeSeries

/// `LSTMConfiguration.scope`: one network over every series given (`global`) or one per group.
@Suite struct LSTMScopeTests {
    static func input(_ id: String, group: String, level: Double) -> ForecastInput {
        let values = (0..<120).map { (t: Int) -> Double in
            let cycle: Double = 1 + 0.3 * sin(2 * Double.pi * Double(t) / 24)
            return level * cycle + Double((t * 7919) % 13) / 13
        }
        return ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count),
                                            values: values, group: group), season: 24)
    }

    static func configuration(_ scope: LSTMScope) -> LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 4, layers: 1, window: 24, epochs: 2, batchSize: 8, seed: 3)
        c.batchesPerEpoch = 3
        c.seeds = 1
        c.reportsProgress = false
        c.scope = scope
        return c
    }

    @Test func globalTrainsOneNetworkOverEveryGroupAndGroupOnePerGroup() throws {
        let inputs = [Self.input("a", group: "web", level: 10), Self.input("b", group: "web", level: 40),
                      Self.input("c", group: "db", level: 3)]
        let global = try LSTMForecaster(configuration: Self.configuration(.global)).forecast(inputs, horizon: 6, levels: [0.1, 0.9])
        #expect(global.allSatisfy { $0.diagnostics.contains { $0.hasPrefix("lstm: trained on 3 series") } }, "\(global.map(\.diagnostics))")
        let perGroup = try LSTMForecaster(configuration: Self.configuration(.group)).forecast(inputs, horizon: 6, levels: [0.1, 0.9])
        #expect(perGroup.map(\.seriesID) == ["a", "b", "c"])
        #expect(perGroup[0].diagnostics.contains { $0.hasPrefix("lstm: trained on 2 series") })
        #expect(perGroup[2].diagnostics.contains { $0.hasPrefix("lstm: trained on 1 series") })
        for f in global + perGroup {
            let d = try f.result.get()
            #expect(d.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) })
        }
    }

    /// The scope is a training-time choice: model files do not store it, so a format-2 file
    /// written before it existed reads back, and a file written now carries no `scope` key.
    @Test func theModelFileDoesNotStoreTheScope() throws {
        var c = Self.configuration(.group)
        c.epochs = 1
        let inputs = [Self.input("a", group: "web", level: 10)]
        let (model, _) = try #require(try LSTMForecaster(configuration: c).fit(inputs, horizon: 6, levels: [0.1, 0.9]))
        let bytes = try model.serialized()
        let length = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        let header = try #require(String(bytes: bytes[8..<(8 + length)], encoding: .utf8))
        #expect(!header.contains("scope") && header.contains("\"baseline\""))
        let back = try LSTMModel(serialized: bytes)
        #expect(back.configuration.scope == .global && back.members == model.members)
    }
}
