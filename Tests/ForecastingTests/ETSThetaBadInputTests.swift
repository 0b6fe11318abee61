import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// Awkward series through both engines: a forecast with finite, ordered quantiles or a clear
/// per-series failure — never a crash, never NaN.
@Suite struct ETSThetaBadInputTests {
    static func series(_ id: String, _ values: [Double]) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values), season: 24)
    }

    static var cases: [ForecastInput] {
        let daily = (0..<240).map { 50 + 10 * sin(2 * Double.pi * Double($0) / 24) + Double($0 % 7) }
        return [
            series("constant", .init(repeating: 7, count: 100)),
            series("zeros", .init(repeating: 0, count: 100)),
            series("short", Array(daily.prefix(30))),
            series("tiny", [1, 2]),
            series("huge", daily.map { $0 * 1e12 }),
            series("nan-end", daily + [.nan, .nan, .nan]),
            series("nan-inside", daily.enumerated().map { $0.offset % 17 == 3 ? .nan : $0.element }),
            series("all-nan", .init(repeating: .nan, count: 50)),
            series("negative", daily.map { $0 - 60 }),
        ]
    }

    @Test(arguments: ["ets", "theta"])
    func awkwardSeriesForecastOrFailClearly(_ engine: String) throws {
        let forecaster: any Forecaster = engine == "ets" ? ETSForecaster(jobs: 1) : ThetaForecaster(jobs: 1)
        let cases = Self.cases
        let results = try forecaster.forecast(cases, horizon: 12, levels: [0.05, 0.5, 0.95])
        #expect(results.count == cases.count)
        for r in results {
            switch r.result {
            case .success(let d):
                let finiteMean = d.mean.allSatisfy { $0.isFinite }
                let finiteQuantiles = d.quantiles.allSatisfy { row in row.allSatisfy { $0.isFinite } }
                let id = r.seriesID
                #expect(finiteMean, "\(engine) \(id): mean \(d.mean)")
                #expect(finiteQuantiles, "\(engine) \(id)")
            case .failure(let error):
                let id = r.seriesID, message = error.message
                #expect(["tiny", "all-nan"].contains(id), "\(engine) \(id): \(message)")
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: results.map { ($0.seriesID, $0) })
        // A constant series forecasts itself with no spread.
        let constant = try #require(try byID["constant"]?.result.get())
        #expect(constant.quantiles.allSatisfy { $0.allSatisfy { abs($0 - 7) < 1e-9 } }, "\(engine): \(constant.quantiles[0])")
        let zeros = try #require(try byID["zeros"]?.result.get())
        #expect(zeros.mean.allSatisfy { abs($0) < 1e-9 })
        // Huge values: the same shape as the unscaled series.
        let huge = try #require(try byID["huge"]?.result.get())
        #expect(huge.mean.allSatisfy { $0 > 1e12 && $0 < 1e14 })
    }

    /// ETS never tries multiplicative components on data that are not all positive.
    @Test func multiplicativeCandidatesNeedPositiveData() {
        let (specs, notes) = AutoETS.candidates(season: 24, count: 240, positive: false)
        #expect(specs.allSatisfy { !$0.isMultiplicative })
        #expect(!notes.isEmpty)
        let (short, shortNotes) = AutoETS.candidates(season: 24, count: 30, positive: true)
        #expect(short.allSatisfy { $0.season == .none })
        #expect(shortNotes.contains { $0.contains("two seasons") })
    }
}

/// The scoring path: appending observations to a fitted model gives exactly the state of the
/// same model run over the longer series.
@Suite struct ETSThetaScoringTests {
    static let y: [Double] = (0..<300).map { (t: Int) -> Double in
        let x = Double(t)
        let season = 15 * sin(2 * Double.pi * x / 24)
        return 80 + 0.1 * x + season + Double((t * 37) % 11)
    }
    static func series(_ values: [Double]) -> Series {
        Series(id: "s", grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values)
    }

    @Test(arguments: ["AAdA", "MNM", "ANN", "MAdN"])
    func etsAppendEqualsRunningTheLongerSeries(_ code: String) throws {
        let spec = try #require(ETSSpecification(code, period: 24))
        var model = try ETSModel.fit(Self.series(Array(Self.y.prefix(260))), specification: spec)
        try model.append(observations: Array(Self.y[260...]))
        let full = try ETSModel.evaluate(Self.series(Self.y), specification: spec, parameters: model.parameters,
                                         initialState: model.initialState, diagnostics: [])
        #expect(model.nextPosition == 300)
        let a = try model.forecast(horizon: 30, levels: [0.1, 0.9]), b = try full.forecast(horizon: 30, levels: [0.1, 0.9])
        #expect(a.mean == b.mean)
        #expect(a.grid == b.grid)
        // A model survives a round trip through JSON (what the registry stores).
        let decoded = try JSONDecoder().decode(ETSModel.self, from: JSONEncoder().encode(model))
        let again = try decoded.forecast(horizon: 30, levels: [0.1, 0.9])
        #expect(again == a)
    }

    @Test(arguments: ThetaModelType.allCases)
    func thetaAppendEqualsRunningTheLongerSeries(_ type: ThetaModelType) throws {
        var model = try ThetaModel.fit(Self.series(Array(Self.y.prefix(260))), season: 24, options: ThetaOptions(types: [type]))
        #expect(model.seasonalIndices != nil)
        try model.append(observations: Array(Self.y[260...]))
        let adjusted = Self.y.indices.map { model.adjust(Self.y[$0], at: $0) }
        var (_, _, state) = ThetaModel.criterion(Array(adjusted.prefix(260)), type: type, parameters: model.parameters)
        for t in 260..<300 { state.update(type, model.parameters, observing: adjusted[t]) }
        #expect(model.state == state)
        let d = try model.forecast(horizon: 24, levels: [0.1, 0.9])
        #expect(d.grid.start == 300)
        let decoded = try JSONDecoder().decode(ThetaModel.self, from: JSONEncoder().encode(model))
        let again = try decoded.forecast(horizon: 24, levels: [0.1, 0.9])
        #expect(again == d)
    }
}
