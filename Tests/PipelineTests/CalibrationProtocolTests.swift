import Calibration
import Evaluation
import Features
import Forecasting
import Foundation
import Pipeline
import Testing
import TimeSeries

/// The same N(0, 1) forecast from every origin: only the actuals differ between origins, so what
/// a table learnt can be traced to the actuals it saw.
struct StandardNormal: RollingForecaster {
    struct Model: RollingModel {
        var next: Int
        mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) { next += values.count }
        func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
            do {
                return try ForecastDistribution(grid: TimeGrid(axis: .index, start: Int64(next), step: 1, count: horizon), levels: levels,
                                                mean: .init(repeating: 0, count: horizon),
                                                quantiles: .init(repeating: levels.map(NormalDistribution.quantile), count: horizon))
            } catch {
                throw ForecastError(.numericalFailure, error.description)
            }
        }
    }
    let name = "standard-normal"
    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        inputs.map { RollingFit(model: .success(Model(next: $0.series.count)), name: name) }
    }
}

@Suite struct CalibrationProtocolTests {
    static let levels = [0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975]

    /// Two series of 80 points whose values are 1.7 × a fixed pseudo-normal sequence (so the N(0, 1)
    /// forecasts are too narrow and calibration has something to correct).
    static func inputs(shift: (Int) -> Double = { _ in 0 }) -> [ForecastInput] {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return ["a", "b"].map { id in
            let values = (0..<80).map { t in 1.7 * (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) + shift(t) }
            return ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: 80), values: values))
        }
    }

    static func evaluate(_ inputs: [ForecastInput]) throws -> CandidateEvaluation {
        // Fold origins 17, 47, 77: origins at every step 17…77, lags 0…60.
        let run = try RollingBacktest.run(StandardNormal(), inputs: inputs,
                                          configuration: BacktestConfiguration(horizon: 3, folds: 3, stride: 30, levels: levels),
                                          originStride: 1)
        let calibration = CandidateCalibration(method: .residualQuantile, minimumSamples: 10,
                                               schedule: try CalibrationSchedule(horizon: 3, window: 20, refresh: 10))
        return calibration.evaluate(run, inputs: inputs)
    }

    /// The held-out protocol: a block's correction depends on the actuals observed before its first
    /// origin and on nothing at or after it. Moving every later actual by 1,000 leaves the block's
    /// calibrated quantiles exactly as they were; moving only the actual just before the block does
    /// change them (so the check is tight at the boundary).
    @Test func aHeldOutBlockIsCorrectedOnlyByActualsObservedBeforeIt() throws {
        let base = try Self.evaluate(Self.inputs())
        #expect(base.heldOutBlocks.count == 3)
        for block in base.heldOutBlocks.indices {
            let members = base.heldOutBlocks[block]
            let first = try #require(members.map(\.key.fold).min())
            #expect(members.count == 2 * 10)
            let later = try Self.evaluate(Self.inputs { $0 >= first ? 1000 : 0 })
            let boundary = try Self.evaluate(Self.inputs { $0 == first - 1 ? 1000 : 0 })
            #expect(later.heldOutBlocks[block].map(\.forecast.forecast) == members.map(\.forecast.forecast), "block \(block)")
            #expect(boundary.heldOutBlocks[block].map(\.forecast.forecast) != members.map(\.forecast.forecast), "block \(block)")
        }
    }

    /// The published table is fitted on the most recent window of origins (lags 0…19 here: 20
    /// origins × 2 series per step), and the held-out check reports raw and calibrated coverage of
    /// the same 60 × 3-step forecasts.
    @Test func thePublishedTableIsFittedOnTheMostRecentWindow() throws {
        let e = try Self.evaluate(Self.inputs())
        let table = try #require(e.table)
        #expect(table.method == .residualQuantile && table.steps.map(\.samples) == [40, 40, 40])
        let heldOut = try #require(e.heldOut)
        #expect(heldOut.forecasts == 60 && heldOut.tally.blocks == 3)
        #expect(heldOut.raw.map(\.count) == [180, 180, 180] && heldOut.calibrated.map(\.count) == [180, 180, 180])
        // N(0, 1) intervals for data with sd 1.7: raw 80 % coverage is near P(|Z| < 1.28/1.7) = 55 %.
        let raw80 = try #require(heldOut.raw.first { $0.nominal == 0.8 }?.coverage)
        let calibrated80 = try #require(heldOut.calibrated.first { $0.nominal == 0.8 }?.coverage)
        #expect(raw80 < 0.7 && abs(calibrated80 - 0.8) < abs(raw80 - 0.8))
        // Scored (for selection) are the held-out origins one horizon apart.
        #expect(e.calibrated.forecasts.count == 2 * 10)
    }
}
