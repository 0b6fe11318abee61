import Features
import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// The automatic forecaster end to end, including everything that must not crash it.
@Suite struct ARIMAForecasterTests {
    static func input(_ values: [Double], season: Int? = nil, regressors: FeatureMatrix? = nil) -> ForecastInput {
        ForecastInput(series: Series(id: "s", grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values),
                      season: season, regressors: regressors)
    }

    static func allFinite(_ f: SeriesForecast) -> Bool {
        guard case .success(let d) = f.result else { return false }
        return d.mean.allSatisfy(\.isFinite) && d.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) }
    }

    @Test func findsSeasonalStructureAndBeatsSeasonalNaiveOnASeasonalARSeries() throws {
        let y = ARIMAModelTests.seasonalSample(500)
        let train = Array(y[0..<452]), test = Array(y[452..<500])
        let out = try ARIMAForecaster(jobs: 1).forecast([Self.input(train, season: 24)], horizon: 48, levels: [0.025, 0.5, 0.975])
        let d = try out[0].result.get()
        let naive = try SeasonalNaive().forecast([Self.input(train, season: 24)], horizon: 48, levels: [0.5])[0].result.get()
        let maeArima = zip(d.mean, test).map { abs($0 - $1) }.reduce(0, +) / 48
        let maeNaive = zip(naive.mean, test).map { abs($0 - $1) }.reduce(0, +) / 48
        #expect(out[0].model.hasPrefix("ARIMA"))
        #expect(maeArima < maeNaive, "ARIMA \(maeArima) vs seasonal naive \(maeNaive) (\(out[0].model))")
        let covered = zip(test, d.quantiles).filter { $0 >= $1[0] && $0 <= $1[2] }.count
        #expect(covered >= 40, "95 % interval covered \(covered) of 48")
    }

    @Test func constantSeriesGivesAFlatForecastWithADiagnostic() throws {
        let out = try ARIMAForecaster(jobs: 1).forecast([Self.input([3, 3, 3, .nan, 3, 3], season: 2)], horizon: 4, levels: [0.1, 0.9])
        #expect(out[0].model == "constant")
        #expect(!out[0].diagnostics.isEmpty)
        #expect(try out[0].result.get().quantiles == Array(repeating: [3, 3], count: 4))
    }

    @Test func shortSeriesDropsTheSeasonWithADiagnostic() throws {
        let y = (0..<30).map { Double($0 % 5) + 0.1 * Double($0) }
        let out = try ARIMAForecaster(jobs: 1).forecast([Self.input(y, season: 24)], horizon: 5, levels: [0.5])
        #expect(Self.allFinite(out[0]))
        #expect(out[0].diagnostics.contains { $0.contains("fewer than two seasons") })
    }

    @Test func missingRunsAreHandled() throws {
        var y = ARIMAModelTests.seasonalSample(200, period: 12)
        for i in 80..<110 { y[i] = .nan }
        y[199] = .nan
        y[197] = .nan
        let out = try ARIMAForecaster(jobs: 1).forecast([Self.input(y, season: 12)], horizon: 24, levels: [0.05, 0.95])
        #expect(Self.allFinite(out[0]), "\(out[0].model) \(out[0].diagnostics)")
        #expect(out[0].model.hasPrefix("ARIMA"))
    }

    @Test func explosiveAndDegenerateSeriesNeverCrashOrGiveNonFiniteForecasts() throws {
        let explosive = (0..<120).map { pow(1.25, Double($0)) }
        let huge = (0..<80).map { Double($0 % 7) * 1e150 }
        let tiny = (0..<80).map { Double($0 % 3) * 1e-200 }
        let mostlyMissing = (0..<60).map { $0 % 10 == 0 ? Double($0) : .nan }
        let twoPoints: [Double] = [1, 2]
        let spike = (0..<100).map { $0 == 50 ? 1e6 : 0.0 }
        let inputs = [explosive, huge, tiny, mostlyMissing, twoPoints, spike].map { Self.input($0, season: 7) }
        let out = try ARIMAForecaster(jobs: 2).forecast(inputs, horizon: 10, levels: [0.05, 0.5, 0.95])
        #expect(out.count == inputs.count)
        for (i, f) in out.enumerated() {
            #expect(Self.allFinite(f), "input \(i): \(f.model) \(f.diagnostics) \(f.result)")
        }
        // Values of 1e-200 are fitted in their own units (no underflow): the period-3 pattern
        // (t mod 3)·1e-200 is continued to within a tenth of its step.
        let tinyMean = try out[2].result.get().mean
        for (h, m) in tinyMean.enumerated() {
            #expect(abs(m - Double((80 + h) % 3) * 1e-200) < 1e-201, "h=\(h + 1): \(m)")
        }
        // Two points cannot carry ARIMA: the diagnostics name each fallback down to the naive one.
        #expect(out[4].model == "naive" && out[4].diagnostics.count >= 2)
    }

    @Test func regressorsWithKnownFutureValuesShiftTheForecast() throws {
        // y = 10 + 5·promo + AR(1) noise; the promotion is on in the second half of the horizon.
        let n = 300, h = 10
        var promo = (0..<(n + h)).map { ($0 / 7) % 5 == 0 ? 1.0 : 0.0 }
        for i in n..<(n + h) { promo[i] = i >= n + 5 ? 1 : 0 }
        let noise = ARIMAModelTests.seasonalSample(n, period: 100000).map { $0 - 20 }
        let y = (0..<n).map { 10 + 5 * promo[$0] + noise[$0] }
        let x = FeatureMatrix(rows: n + h, columns: 1, names: ["promo"], values: promo)
        let out = try ARIMAForecaster(jobs: 1).forecast([Self.input(y, regressors: x)], horizon: h, levels: [0.5])
        let d = try out[0].result.get()
        let lift = d.mean[7] - d.mean[3]
        #expect(abs(lift - 5) < 0.5, "lift \(lift) (\(out[0].model))")
    }

    @Test func longSeasonUsesFourierTerms() throws {
        let y = ARIMAModelTests.seasonalSample(600, period: 96)
        let out = try ARIMAForecaster(jobs: 1).forecast([Self.input(y, season: 96)], horizon: 96, levels: [0.5])
        #expect(out[0].model.contains("Fourier[96]"), "\(out[0].model)")
        #expect(Self.allFinite(out[0]))
    }

    @Test func concurrentForecastsEqualSerialOnes() throws {
        let inputs = (0..<3).map { Self.input(ARIMAModelTests.seasonalSample(120, period: 6, seed: UInt64($0 + 1)), season: 6) }
        let serial = try ARIMAForecaster(jobs: 1).forecast(inputs, horizon: 12, levels: [0.5])
        let parallel = try ARIMAForecaster(jobs: 2).forecast(inputs, horizon: 12, levels: [0.5])
        for (a, b) in zip(serial, parallel) {
            #expect(a.model == b.model)
            let x = try a.result.get(), y = try b.result.get()
            // One OpenBLAS thread instead of several changes GEMM summation order in P₀ and the
            // optimiser carries that rounding along; 1e-6 relative bounds it with a wide margin.
            for (u, v) in zip(x.mean, y.mean) { #expect(abs(u - v) <= 1e-6 * max(1, abs(v)), "\(u) vs \(v)") }
        }
    }
}
