import Foundation
@testable import Forecasting
import Testing
import TimeSeries

/// The global model of format 2: every window scaled by its own level, the network predicting the
/// residual over seasonal naive, several seeds averaged (issue 16 item 1).
@Suite struct LSTMGlobalModelTests {
    /// level · (1 + 0.3 sin(2πt/24)) · (1 + trend · t / n) · (1 + 2 % noise).
    static func series(_ n: Int, level: Double, trend: Double, seed: UInt64) -> [Double] {
        var rng = SplitMix(seed: seed)
        return (0..<n).map { t in
            level * (1 + 0.3 * sin(2 * .pi * Double(t) / 24)) * (1 + trend * Double(t) / Double(n)) * (1 + 0.02 * rng.normal())
        }
    }

    static func input(_ id: String, _ values: [Double]) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values),
                      season: 24)
    }

    static var configuration: LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 16, layers: 1, window: 72, epochs: 8, batchSize: 32, learningRate: 3e-3, seed: 7)
        c.batchesPerEpoch = 20
        c.seeds = 2
        c.reportsProgress = false
        return c
    }

    @Test func oneNetworkForecastsSeriesOfEveryLevelAndTrendWithinTenPercent() throws {
        let n = 600, horizon = 24
        let specs: [(level: Double, trend: Double)] = [(1, 0), (50, 0.8), (5_000, -0.4), (0.02, 0.3), (1e6, 1.5)]
        var inputs: [ForecastInput] = [], truths: [[Double]] = []
        for (i, s) in specs.enumerated() {
            let full = Self.series(n + horizon, level: s.level, trend: s.trend, seed: UInt64(i + 1))
            inputs.append(Self.input("s\(i)", Array(full.prefix(n))))
            // The noise-free continuation.
            truths.append((n..<(n + horizon)).map { t in
                s.level * (1 + 0.3 * sin(2 * .pi * Double(t) / 24)) * (1 + s.trend * Double(t) / Double(n + horizon))
            })
        }
        let out = try LSTMForecaster(configuration: Self.configuration).forecast(inputs, horizon: horizon, levels: [0.1, 0.5, 0.9])
        for (i, f) in out.enumerated() {
            let d = try f.result.get()
            #expect(f.model.contains("2 seeds"), "\(f.model)")
            #expect(f.diagnostics.last?.contains("trained on 5 series") == true, "\(f.diagnostics)")
            #expect(f.diagnostics.last?.contains("held-out coverage 0.1:") == true, "\(f.diagnostics)")
            let error = zip(d.mean, truths[i]).map { abs($0 - $1) / abs($1) }.reduce(0, +) / Double(horizon)
            #expect(error < 0.10, "series \(i) (level \(specs[i].level), trend \(specs[i].trend)): mean relative error \(error)")
            #expect(d.quantiles.allSatisfy { $0[0] <= $0[1] && $0[1] <= $0[2] && $0.allSatisfy(\.isFinite) })
        }
    }

    @Test func aSeriesTimesAThousandGivesForecastsTimesAThousand() throws {
        let inputs = (0..<3).map { i in Self.input("s\(i)", Self.series(400, level: Double(10 + 40 * i), trend: 0.5, seed: UInt64(i))) }
        var c = Self.configuration
        c.epochs = 2
        let model = try #require(try LSTMForecaster(configuration: c).fit(inputs, horizon: 24, levels: [0.1, 0.9])?.model)
        let scaled = inputs.map { Self.input($0.series.id, $0.series.values.map { $0 * 1000 }) }
        let a = try model.forecast(inputs, levels: [0.1, 0.5, 0.9]), b = try model.forecast(scaled, levels: [0.1, 0.5, 0.9])
        for (x, y) in zip(a, b) {
            let p = try x.result.get(), q = try y.result.get()
            for (rowP, rowQ) in zip(p.quantiles, q.quantiles) {
                for (u, v) in zip(rowP, rowQ) { #expect(abs(v - 1000 * u) <= 1e-9 * abs(1000 * u) + 1e-9, "\(u) \(v)") }
            }
        }
    }

    @Test func windowLevelAndBaselineFollowTheWindowNotTheSeries() {
        // A series that grows tenfold: the last window's level is that of its last season.
        let values: [Double] = (0..<240).map { (t: Int) -> Double in
            let day = Double(1 + t / 24)
            return t % 24 == 5 ? 2 * day : day
        }
        let n = LSTMNormalisation(season: 24, baseline: .seasonalNaive)
        let scale = LSTMWindowScale(values: values, end: 240, window: 48, horizon: 30, normalisation: n)
        let lastSeason: Double = values[216..<240].reduce(0, +) / 24
        #expect(abs(scale.level - lastSeason) < 1e-12)
        // Step k's baseline is the value one season before it, in level units (k = 24 wraps around).
        let sameHour: Double = values[221]
        let b5: Double = scale.baseline[5] * scale.level, b29: Double = scale.baseline[29] * scale.level
        #expect(abs(b5 - sameHour) < 1e-9)
        #expect(abs(b29 - sameHour) < 1e-9)
        #expect(abs(scale.restore(0, step: 5) - sameHour) < 1e-9)
        // All zero at the end: the level falls back to the window (8 values, 40 zeros), then to 1.
        let zeros = Array(values.prefix(200)) + [Double](repeating: 0, count: 40)
        let z = LSTMWindowScale(values: zeros, end: 240, window: 48, horizon: 4, normalisation: n)
        let tail: Double = values[192..<200].reduce(0, +)
        #expect(abs(z.level - tail / 48) < 1e-12)
        #expect(LSTMWindowScale(values: [0, 0, 0], end: 3, window: 48, horizon: 2, normalisation: n).level == 1)
        let level = LSTMWindowScale(values: values, end: 240, window: 48, horizon: 4,
                                    normalisation: LSTMNormalisation(season: 24, baseline: .level))
        #expect(level.baseline == [1, 1, 1, 1])
    }

    @Test func badSeriesGetAForecastOrAClearErrorNeverNaN() throws {
        var nanEnd = Self.series(300, level: 8, trend: 0, seed: 3)
        for t in 260..<300 { nanEnd[t] = .nan }
        var zeroStretch = Self.series(300, level: 8, trend: 0, seed: 4)
        for t in 250..<300 { zeroStretch[t] = 0 }
        let inputs = [
            Self.input("normal", Self.series(300, level: 8, trend: 0.2, seed: 1)),
            Self.input("constant", [Double](repeating: 42, count: 300)),
            Self.input("short", Self.series(40, level: 8, trend: 0, seed: 2)),
            Self.input("zero-stretch", zeroStretch),
            Self.input("huge", Self.series(300, level: 1e12, trend: 0.3, seed: 5)),
            Self.input("nan-end", nanEnd),
            Self.input("all-nan", [Double](repeating: .nan, count: 300)),
        ]
        var c = Self.configuration
        c.epochs = 2
        let out = try LSTMForecaster(configuration: c).forecast(inputs, horizon: 24, levels: [0.025, 0.5, 0.975])
        let byID = Dictionary(uniqueKeysWithValues: out.map { ($0.seriesID, $0) })
        for id in ["normal", "constant", "short", "zero-stretch", "huge", "nan-end"] {
            let d = try #require(try byID[id]?.result.get(), "\(id)")
            #expect(d.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) } && d.mean.allSatisfy(\.isFinite), "\(id)")
        }
        do { _ = try byID["all-nan"]?.result.get(); Issue.record("all-NaN series got a forecast") } catch {
            #expect(error.code == .insufficientData)
        }
        // Level and baseline carry the magnitude: the constant series stays at 42, the huge one near 1e12.
        let constant = try #require(try byID["constant"]?.result.get())
        #expect(constant.mean.allSatisfy { abs($0 - 42) < 0.5 * 42 }, "\(constant.mean)")
        let huge = try #require(try byID["huge"]?.result.get())
        #expect(huge.mean.allSatisfy { $0 > 5e11 && $0 < 3e12 }, "\(huge.mean)")
    }

    @Test func membersAndNormalisationRoundTripAndFormatOneIsRefusedWithAHint() throws {
        let one = randomLSTMModel()
        var second = one.parameters
        second[0] += 1
        let model = LSTMModel(shape: one.shape, configuration: one.configuration, levels: one.levels, features: one.features,
                              normalisation: LSTMNormalisation(season: 24, baseline: .level), series: one.series,
                              members: [one.parameters, second])
        let bytes = try model.serialized()
        let loaded = try LSTMModel(serialized: bytes)
        #expect(loaded.members.map { $0.map(\.bitPattern) } == model.members.map { $0.map(\.bitPattern) })
        #expect(loaded.normalisation == model.normalisation)
        let length = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        #expect(bytes.count == 8 + length + 2 * model.shape.parameterCount * 4)
        let json = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
            .replacingOccurrences(of: "\"format_version\":2", with: "\"format_version\":1")
        var old = Array(bytes[0..<4])
        withUnsafeBytes(of: UInt32(json.utf8.count).littleEndian) { old += $0 }
        old += Array(json.utf8) + bytes[(8 + length)...]
        do { _ = try LSTMModel(serialized: old); Issue.record("accepted format 1") } catch {
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("retrain"), "\(error.message)")
        }
    }
}
