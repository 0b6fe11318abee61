import Evaluation
import Features
import Forecasting
import Testing
import TimeSeries

/// A model whose forecast reveals what it saw: the mean is the mean of every value seen so far,
/// and the quantiles are the mean ∓ the number of points it was fitted on. It checks that the
/// regressor rows it is given are those of the steps it sees (column "t" holds the step index).
struct RevealingModel: RollingModel {
    var seen: [Double]
    let fitted: Int

    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) {
        guard let x = regressors, x.rows == values.count, x[0, 0] == Double(seen.count) else {
            throw ForecastError(.regressorMismatch, "rows do not line up with the appended values")
        }
        seen += values
    }

    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        guard let x = futureRegressors, x.rows == horizon, x[0, 0] == Double(seen.count) else {
            throw ForecastError(.regressorMismatch, "future rows do not start at the next step")
        }
        let mean = seen.reduce(0, +) / Double(seen.count), spread = Double(fitted)
        do {
            return try ForecastDistribution(grid: TimeGrid(axis: .index, start: Int64(seen.count), step: 1, count: horizon),
                                            levels: levels, mean: .init(repeating: mean, count: horizon),
                                            quantiles: .init(repeating: [mean - spread, mean, mean + spread], count: horizon))
        } catch {
            throw ForecastError(.numericalFailure, error.description)
        }
    }
}

struct Revealing: RollingForecaster {
    let name = "revealing"
    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        inputs.map { input in
            // The fit sees the history and the regressor rows of the next `horizon` steps, no more.
            guard input.regressors?.rows == input.series.count + horizon else {
                return RollingFit(model: .failure(ForecastError(.regressorMismatch, "fit rows")), name: name)
            }
            return RollingFit(model: .success(RevealingModel(seen: input.series.values, fitted: input.series.count)), name: name)
        }
    }
}

@Suite struct RollingBacktestTests {
    static func input(count: Int, id: String = "s") -> ForecastInput {
        let values = (0..<count).map { t in Double((t * 37) % 11) + Double(t) / 10 }
        let x = FeatureMatrix(rows: count, columns: 1, names: ["t"], values: (0..<count).map(Double.init))
        return ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: count), values: values),
                             season: nil, regressors: x)
    }

    /// Each origin's forecast comes from the latest fold fitted at or before it, conditioned on
    /// exactly the values before the origin (an independent mean of the prefix), never later ones.
    @Test func everyOriginSeesExactlyItsHistoryThroughItsFoldsModel() throws {
        let inputs = [Self.input(count: 60), Self.input(count: 53, id: "short")]
        let config = BacktestConfiguration(horizon: 4, folds: 3, stride: 7, levels: [0.1, 0.5, 0.9])
        let run = try RollingBacktest.run(Revealing(), inputs: inputs, configuration: config, originStride: 3)
        for (i, input) in inputs.enumerated() {
            let n = input.series.count, last = n - 4
            let foldOrigins = [last - 14, last - 7, last]
            #expect(run.report.series[i].folds.map(\.origin) == foldOrigins)
            #expect(run.report.series[i].diagnostics.isEmpty, "\(run.report.series[i].diagnostics)")
            // Origins every 3 steps back from the last one, down to the first fold's origin.
            let expected = Array(stride(from: last, through: foldOrigins[0], by: -3).reversed())
            #expect(run.origins[i].map(\.origin) == expected)
            for o in run.origins[i] {
                let prefix = input.series.values[0..<o.origin]
                let mean = prefix.reduce(0, +) / Double(prefix.count)
                #expect(abs(o.forecast.mean[0] - mean) < 1e-12)
                let fold = foldOrigins.lastIndex { $0 <= o.origin } ?? -1
                #expect(o.fold == fold + 1 && o.forecast.quantiles[0][2] - o.forecast.quantiles[0][1] == Double(foldOrigins[fold]))
                #expect(o.lag == last - o.origin && o.actuals == Array(input.series.values[o.origin..<(o.origin + 4)]))
            }
        }
        // The earliest recorded origin is 12 steps before the last (42 is not on the 3-step grid).
        #expect(run.span == 13)
    }

    /// Changing the data after an origin changes nothing about the forecast made from it.
    @Test func laterDataNeverReachesAnEarlierForecast() throws {
        let config = BacktestConfiguration(horizon: 3, folds: 2, stride: 10, levels: [0.1, 0.5, 0.9])
        let a = Self.input(count: 40)
        var b = a
        for t in 30..<40 { b.series.values[t] += 1000 }
        let x = try RollingBacktest.run(Revealing(), inputs: [a], configuration: config, originStride: 1)
        let y = try RollingBacktest.run(Revealing(), inputs: [b], configuration: config, originStride: 1)
        for (p, q) in zip(x.origins[0], y.origins[0]) {
            #expect((p.forecast == q.forecast) == (p.origin <= 30), "origin \(p.origin)")
        }
    }

    @Test func originsBeforeTheFirstUsableFoldAreLeftOutWithADiagnostic() throws {
        let config = BacktestConfiguration(horizon: 2, folds: 3, stride: 5, levels: [0.1, 0.5, 0.9], minimumTrainingLength: 4)
        let run = try RollingBacktest.run(Revealing(), inputs: [Self.input(count: 14)], configuration: config, originStride: 1)
        // Fold origins 2, 7, 12: the first has 2 < 4 training points.
        #expect(run.report.series[0].folds.map(\.origin) == [7, 12])
        #expect(run.origins[0].map(\.origin) == Array(7...12))
        #expect(run.report.series[0].diagnostics == ["fold 1: skipped, only 2 training points"])
        #expect(throws: ForecastError.self) {
            try RollingBacktest.run(Revealing(), inputs: [Self.input(count: 14)], configuration: config, originStride: 0)
        }
    }
}
