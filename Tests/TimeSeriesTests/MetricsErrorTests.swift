import Testing
@testable import TimeSeries

/// The error code `body` throws, or nil when it returns.
// Untyped `throws` because closures do not infer typed throws; any other error fails the test.
private func code<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> MetricError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as MetricError {
        return error.code
    } catch {
        Issue.record("expected a MetricError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite("Accuracy metrics reject bad input with a MetricError")
struct MetricsErrorTests {
    @Test func emptyInputThrows() {
        #expect(code { try Accuracy.mae(actuals: [], forecast: []) } == .emptyInput)
        #expect(code { try Accuracy.coverage(actuals: [], lower: [], upper: []) } == .emptyInput)
        #expect(code { try Accuracy.crps(actuals: [], quantiles: [], levels: [0.5]) } == .emptyInput)
        #expect(code { try Accuracy.crps(actuals: [1], quantiles: [[]], levels: []) } == .emptyInput)
    }

    @Test func mismatchedLengthsThrowNamingTheCounts() throws {
        let error = #expect(throws: MetricError.self) { try Accuracy.rmse(actuals: [1, 2, 3], forecast: [1, 2]) }
        #expect(error?.code == .lengthMismatch)
        #expect(error?.message.contains("3 actuals but 2 forecast") == true, "\(String(describing: error))")
        #expect(code { try Accuracy.coverage(actuals: [1, 2], lower: [0, 0], upper: [3]) } == .lengthMismatch)
        #expect(code { try Accuracy.pinball(actuals: [1, 2], quantiles: [[1]], levels: [0.5]) } == .lengthMismatch)
        #expect(code { try Accuracy.pinball(actuals: [1, 2], quantiles: [[1], [1, 2]], levels: [0.5]) } == .lengthMismatch)
    }

    @Test func allMissingActualsThrow() {
        let missing = [Double.nan, .nan]
        #expect(code { try Accuracy.smape(actuals: missing, forecast: [1, 2]) } == .noObservedValues)
        #expect(code { try Accuracy.crps(actuals: missing, quantiles: [[1], [2]], levels: [0.5]) } == .noObservedValues)
        #expect(code { try Accuracy.intervalScore(actuals: missing, lower: [0, 0], upper: [1, 1], alpha: 0.1) }
                == .noObservedValues)
    }

    @Test func nonFiniteValuesAtObservedPositionsThrow() {
        #expect(code { try Accuracy.mae(actuals: [1, .infinity], forecast: [1, 2]) } == .nonFiniteValue)
        #expect(code { try Accuracy.mae(actuals: [1, 2], forecast: [1, .nan]) } == .nonFiniteValue)
        #expect(code { try Accuracy.pinball(actuals: [1], quantiles: [[.infinity]], levels: [0.5]) } == .nonFiniteValue)
        #expect(code { try Accuracy.coverage(actuals: [1], lower: [.nan], upper: [2]) } == .nonFiniteValue)
        #expect(code { try Accuracy.seasonalNaiveScale(insample: [1, -.infinity, 3]) } == .nonFiniteValue)
    }

    @Test func levelsAndAlphaOutsideTheOpenUnitIntervalThrow() {
        for level in [0.0, 1.0, -0.1, 1.5, .nan] {
            #expect(code { try Accuracy.pinball(actuals: [1], quantile: [1], level: level) } == .invalidLevel, "level \(level)")
            #expect(code { try Accuracy.intervalScore(actuals: [1], lower: [0], upper: [2], alpha: level) } == .invalidLevel)
        }
        #expect(code { try Accuracy.crps(actuals: [1], quantiles: [[1, 2]], levels: [0.5, 1]) } == .invalidLevel)
    }

    @Test func undefinedScalesThrowInsteadOfReturningInfinity() {
        // A constant training series has seasonal-naive MAE 0.
        #expect(code { try Accuracy.mase(actuals: [1], forecast: [2], insample: [3, 3, 3]) } == .zeroScale)
        // Period-2 series that repeats exactly: the scale at m = 2 is 0 (but not at m = 1).
        #expect(code { try Accuracy.seasonalNaiveScale(insample: [1, 5, 1, 5], season: 2) } == .zeroScale)
        #expect(code { try Accuracy.seasonalNaiveScale(insample: [1, 5, 1, 5], season: 1) } == nil)
        #expect(code { try Accuracy.msis(actuals: [1], lower: [0], upper: [2], alpha: 0.1, insample: [4, 4]) } == .zeroScale)
        #expect(code { try Accuracy.mase(actuals: [1], forecast: [2], scale: 0) } == .zeroScale)
        #expect(code { try Accuracy.mase(actuals: [1], forecast: [2], scale: -1) } == .invalidScale)
        #expect(code { try Accuracy.msis(actuals: [1], lower: [0], upper: [2], alpha: 0.1, scale: .nan) } == .invalidScale)
    }

    @Test func insampleShorterThanSeasonPlusOneThrows() {
        // m = 24 needs 25 values for one pair.
        let day = (0..<24).map(Double.init)
        let error = #expect(throws: MetricError.self) { try Accuracy.seasonalNaiveScale(insample: day, season: 24) }
        #expect(error?.code == .insufficientInsample)
        #expect(error?.message.contains("at least 25") == true)
        #expect(code { try Accuracy.seasonalNaiveScale(insample: day + [24], season: 24) } == nil)
        #expect(code { try Accuracy.seasonalNaiveScale(insample: [.nan, 1, .nan], season: 2) } == .insufficientInsample)
        #expect(code { try Accuracy.seasonalNaiveScale(insample: [1, 2], season: 0) } == .invalidSeason)
    }

    @Test func crossedIntervalsThrow() throws {
        #expect(code { try Accuracy.coverage(actuals: [1], lower: [3], upper: [2]) } == .crossedInterval)
        // ForecastDistribution checks its rows at init, but its fields stay mutable.
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 1)
        var forecast = try ForecastDistribution(grid: grid, levels: [0.1, 0.9], mean: [1], quantiles: [[0, 2]])
        forecast.quantiles = [[3, 2]]
        #expect(code { try Accuracy.evaluate(forecast, actuals: [1]) } == .crossedInterval)
    }

    @Test func evaluateChecksTheActualsAgainstTheHorizon() throws {
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 2)
        let forecast = try ForecastDistribution(grid: grid, levels: [0.5], mean: [1, 2], quantiles: [[1], [2]])
        #expect(code { try Accuracy.evaluate(forecast, actuals: [1]) } == .lengthMismatch)
        #expect(code { try Accuracy.evaluate(forecast, actuals: [1, 2], insample: [7, 7]) } == .zeroScale)
        #expect(code { try Accuracy.evaluate(forecast, actuals: [1, 2], scale: nil) } == nil)
    }

    @Test func errorDescriptionNamesTheCodeAndTheProblem() {
        let error = MetricError(.zeroScale, "in-sample seasonal-naive MAE is 0")
        #expect(error.description == "zeroScale: in-sample seasonal-naive MAE is 0")
    }
}
