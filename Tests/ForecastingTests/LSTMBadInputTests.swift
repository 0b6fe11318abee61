import Features
import Forecasting
import Foundation
import Testing
import TimeSeries

@Suite struct LSTMBadInputTests {
    static func series(_ id: String, _ values: [Double]) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values),
                      season: 24)
    }

    static var quick: LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 8, layers: 1, window: 48, epochs: 3, batchSize: 16, learningRate: 1e-2, seed: 1)
        c.batchesPerEpoch = 5
        c.reportsProgress = false
        return c
    }

    static func wave(_ n: Int, level: Double, seed: UInt64) -> [Double] {
        var rng = SplitMix(seed: seed)
        return (0..<n).map { t in level * (1 + 0.3 * sin(2 * .pi * Double(t) / 24) + 0.05 * rng.normal()) }
    }

    @Test func shortConstantMissingAndHugeSeriesAreHandledWithDiagnostics() throws {
        var withGaps = Self.wave(300, level: 20, seed: 2)
        for t in stride(from: 5, to: 300, by: 7) { withGaps[t] = .nan }
        var withInfinity = Self.wave(300, level: 5, seed: 3)
        withInfinity[100] = .infinity
        var spiky = Self.wave(300, level: 5, seed: 4)
        spiky[150] = 1e6
        var nanRun = Self.wave(300, level: 8, seed: 7)
        for t in 292..<300 { nanRun[t] = .nan }
        let inputs = [
            Self.series("nan-run-at-the-end", nanRun),
            Self.series("1e12", Self.wave(300, level: 1e12, seed: 8)),
            Self.series("normal", Self.wave(300, level: 10, seed: 1)),
            Self.series("short", Self.wave(30, level: 10, seed: 5)),
            Self.series("constant", [Double](repeating: 7, count: 300)),
            Self.series("zeros", [Double](repeating: 0, count: 300)),
            Self.series("empty", [Double](repeating: .nan, count: 300)),
            Self.series("gaps", withGaps),
            Self.series("huge", Self.wave(300, level: 1e30, seed: 6)),
            Self.series("infinity", withInfinity),
            Self.series("spike", spiky),
        ]
        let out = try LSTMForecaster(configuration: Self.quick).forecast(inputs, horizon: 12, levels: [0.1, 0.5, 0.9])
        let byID = Dictionary(uniqueKeysWithValues: out.map { ($0.seriesID, $0) })
        func notes(_ id: String) -> String { byID[id]?.diagnostics.joined(separator: " | ") ?? "" }
        #expect(throws: ForecastError.self) { _ = try byID["empty"]?.result.get() }
        for id in ["normal", "short", "constant", "zeros", "gaps", "huge", "infinity", "spike", "nan-run-at-the-end", "1e12"] {
            let d = try #require(try byID[id]?.result.get(), "\(id)")
            #expect(d.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) }, "\(id)")
        }
        #expect(notes("short").contains("zero-padded"))
        #expect(notes("constant").contains("constant"))
        #expect(notes("zeros").contains("zero"))
        #expect(notes("gaps").contains("missing values masked"))
        #expect(notes("infinity").contains("infinite"))
        #expect(notes("spike").contains("clipped"))
        // Scaling carries the magnitude through: the huge series forecasts stay at its level.
        let huge = try #require(try byID["huge"]?.result.get())
        #expect(huge.quantiles.allSatisfy { $0[1] > 1e29 && $0[1] < 1e31 }, "\(huge.quantiles.map { $0[1] })")
    }

    @Test func tooShortToTrainFallsBackToSeasonalNaive() throws {
        let out = try LSTMForecaster(configuration: Self.quick).forecast([Self.series("tiny", [1, 2, 3, 4, 5])],
                                                                         horizon: 12, levels: [0.5])
        #expect(out[0].model == "naive")
        #expect(out[0].diagnostics.first?.contains("no series is long enough") == true)
        #expect(try out[0].result.get().mean.count == 12)
    }

    @Test func sameSeedAndThreadsGiveIdenticalWeights() throws {
        let inputs = [Self.series("a", Self.wave(200, level: 10, seed: 1)), Self.series("b", Self.wave(250, level: 4, seed: 2))]
        let f = LSTMForecaster(configuration: Self.quick)
        let a = try #require(try f.fit(inputs, horizon: 12, levels: [0.5])?.model)
        let b = try #require(try f.fit(inputs, horizon: 12, levels: [0.5])?.model)
        #expect(a.parameters.map(\.bitPattern) == b.parameters.map(\.bitPattern))
        var other = Self.quick
        other.seed = 2
        let c = try #require(try LSTMForecaster(configuration: other).fit(inputs, horizon: 12, levels: [0.5])?.model)
        #expect(c.parameters != a.parameters)
    }

    @Test func mismatchedRegressorsAcrossTheGroupAreRefused() {
        let x = FeatureMatrix(rows: 212, columns: 1, names: ["promo"], values: [Double](repeating: 0, count: 212))
        let a = ForecastInput(series: Series(id: "a", grid: TimeGrid(axis: .index, start: 0, step: 1, count: 200),
                                             values: Self.wave(200, level: 1, seed: 1)), regressors: x)
        let b = Self.series("b", Self.wave(200, level: 1, seed: 2))
        #expect(throws: ForecastError.self) {
            _ = try LSTMForecaster(configuration: Self.quick).forecast([a, b], horizon: 12, levels: [0.5])
        }
    }

    @Test func trainsOneModelPerGroupAndKeepsTheInputOrder() throws {
        func member(_ id: String, _ group: String?, seed: UInt64) -> ForecastInput {
            let y = Self.wave(200, level: 5, seed: seed)
            return ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: y.count),
                                                values: y, group: group))
        }
        let inputs = [member("a1", "a", seed: 1), member("b1", "b", seed: 2), member("a2", "a", seed: 3),
                      member("x", nil, seed: 4), member("y", nil, seed: 5), member("a3", "a", seed: 6)]
        var perGroup = Self.quick
        perGroup.scope = .group
        let out = try LSTMForecaster(configuration: perGroup).forecast(inputs, horizon: 12, levels: [0.5])
        #expect(out.map(\.seriesID) == ["a1", "b1", "a2", "x", "y", "a3"])
        func trainedOn(_ i: Int) -> String? { out[i].diagnostics.last { $0.contains("trained on") } }
        #expect(trainedOn(0)?.contains("trained on 3 series") == true)
        #expect(trainedOn(1)?.contains("trained on 1 series") == true)
        #expect(trainedOn(3)?.contains("trained on 2 series") == true)
    }
}
