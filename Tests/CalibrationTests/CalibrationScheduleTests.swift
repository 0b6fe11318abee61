import Testing
@testable import Calibration
import TimeSeries

@Suite struct CalibrationScheduleTests {
    /// Every held-out block is corrected by a table whose samples were all observed before the
    /// block's first forecast was made, checked in plain time indices (not lags): origins at times
    /// 0 … span − 1, a forecast from origin t has targets t … t + horizon − 1.
    @Test(arguments: [(12, 288, 72, 865), (6, 10, 4, 40), (1, 1, 1, 3), (12, 50, 7, 200), (3, 5, 5, 12)])
    func calibrationTargetsStrictlyPrecedeEveryEvaluatedOrigin(horizon: Int, window: Int, refresh: Int, span: Int) throws {
        let schedule = try CalibrationSchedule(horizon: horizon, window: window, refresh: refresh)
        let blocks = schedule.blocks(span: span)
        func time(_ lag: Int) -> Int { span - 1 - lag }
        var evaluated = Set<Int>()
        for block in blocks {
            let firstOrigin = block.evaluated.map(time).min() ?? 0
            let lastTarget = block.calibration.map { time($0) + horizon - 1 }.max() ?? 0
            #expect(lastTarget < firstOrigin)
            // The window is whole and inside the span, and no more than the embargo is left out.
            #expect(block.calibration.count == window && block.calibration.upperBound <= span)
            #expect(lastTarget == firstOrigin - 1)
            #expect(block.evaluated.count == refresh)
            for lag in block.evaluated { #expect(evaluated.insert(lag).inserted, "lag \(lag) evaluated twice") }
        }
        // Blocks tile the most recent origins, and one more block would not fit.
        #expect(evaluated == Set(0..<(blocks.count * refresh)))
        #expect((blocks.count + 1) * refresh + horizon - 1 + window > span)
        #expect(schedule.published(span: span) == 0..<min(window, span))
    }

    @Test func aShortSpanIsSplitIntoAnEarlierCalibrationHalfAndALaterHeldOutHalf() throws {
        let schedule = try CalibrationSchedule(horizon: 6, window: 288, refresh: 72)
        #expect(schedule.fitted(toSpan: 365) == schedule)
        #expect(schedule.blocks(span: 364).isEmpty)
        // 13 origins, embargo 5: 8 usable → 4 calibrate, 4 are held out.
        let small = try #require(schedule.fitted(toSpan: 13))
        #expect(small.window == 4 && small.refresh == 4)
        #expect(small.blocks(span: 13) == [CalibrationSchedule.Block(evaluated: 0..<4, calibration: 9..<13)])
        // Fewer than horizon + 1 origins: nothing can be held out.
        #expect(schedule.fitted(toSpan: 6) == nil)
        #expect(throws: CalibrationError.self) { try CalibrationSchedule(horizon: 6, window: 0, refresh: 1) }
    }
}

@Suite struct CoverageTallyTests {
    static func forecast(lower: Double, upper: Double, steps: Int) throws -> ForecastDistribution {
        try ForecastDistribution(grid: TimeGrid(axis: .index, start: 0, step: 1, count: steps), levels: [0.05, 0.5, 0.95],
                                 mean: .init(repeating: (lower + upper) / 2, count: steps),
                                 quantiles: .init(repeating: [lower, (lower + upper) / 2, upper], count: steps))
    }

    @Test func countsActualsInsideTheCentralIntervalPerBlockBoundsIncluded() throws {
        var tally = CoverageTally(nominals: [0.8, 0.9])
        tally.add(try Self.forecast(lower: 0, upper: 1, steps: 4), actuals: [0, 1, 1.5, .nan])
        tally.startBlock()
        tally.add(try Self.forecast(lower: 0, upper: 1, steps: 2), actuals: [-1, 0.5])
        // 0.8 needs levels 0.1 and 0.9, which the forecast lacks: not counted.
        #expect(tally.counts == [[0, 3], [0, 2]] && tally.covered == [[0, 2], [0, 1]])
        let e = tally.estimates()[1]
        #expect(e.covered == 3 && e.count == 5 && e.blocks == 2 && abs(e.coverage - 0.6) < 1e-15)
        #expect(tally.estimates()[0].coverage.isNaN)
    }

    /// References from an independent Python evaluation of the same formulas (statistics.NormalDist).
    @Test func wilsonAndBlockIntervalsMatchTheirFormulas() {
        let wilson = CoverageEstimate(nominal: 0.9, covered: [90], counts: [100])
        #expect(abs(wilson.binomialLower - 0.8256343384950865) < 1e-12 && abs(wilson.binomialUpper - 0.9447708629393249) < 1e-12)
        #expect(wilson.blockLower == nil)
        let blocks = CoverageEstimate(nominal: 0.9, covered: [45, 40, 86], counts: [50, 50, 100])
        #expect(abs(blocks.coverage - 0.855) < 1e-15)
        #expect(abs((blocks.blockLower ?? 0) - 0.8119337215809587) < 1e-12)
        #expect(abs((blocks.blockUpper ?? 0) - 0.8980662784190413) < 1e-12)
        #expect(!blocks.isWithin(points: 2) && blocks.isWithin(points: 5))
    }

    @Test func poolingConcatenatesBlocks() {
        var a = CoverageTally(nominals: [0.9]), b = CoverageTally(nominals: [0.9])
        a.covered = [[9]]; a.counts = [[10]]
        b.covered = [[7], [10]]; b.counts = [[10], [10]]
        a.append(contentsOf: b)
        #expect(a.blocks == 3 && a.estimates()[0].covered == 26 && a.estimates()[0].count == 30)
    }
}
