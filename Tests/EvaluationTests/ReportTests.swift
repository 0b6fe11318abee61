import Calibration
@testable import Evaluation
import Forecasting
import Foundation
import Markup
import Testing
import TimeSeries

@Suite struct ReportTests {
    /// A period-4 series with a little noise, so that seasonal naive with the right season wins.
    static func values(_ n: Int, phase: Int = 0) -> [Double] {
        let pattern: [Double] = [3, 1, 4, 1]
        return (0..<n).map { (t: Int) -> Double in
            let noise = Double((t * 7 + phase) % 5) * 0.3
            return pattern[(t + phase) % 4] * 10 + noise
        }
    }

    static func backtest(season: Int?, model: String, ids: [String] = ["a", "b"]) throws -> BacktestReport {
        let inputs = ids.enumerated().map { i, id in
            ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: 40),
                                         values: values(40, phase: i)), season: season)
        }
        var report = try Backtest.run(SeasonalNaive(), inputs: inputs, configuration: BacktestConfiguration(horizon: 4, folds: 3))
        report.model = model
        return report
    }

    @Test func groupListsTheBaselineFirstAndSelectsTheLowestMeanCRPS() throws {
        let naive = try Self.backtest(season: nil, model: "naive-1")
        let seasonal = try Self.backtest(season: 4, model: "seasonal-naive")
        let group = GroupEvaluation(group: "g", backtests: [naive, seasonal])
        #expect(group.models.map(\.model) == ["seasonal-naive", "naive-1"])
        #expect(group.models.map(\.isBaseline) == [true, false])
        let crps = try #require(group.models.map { $0.overall?.crps })
        // The seasonal forecast is right to within the 0–1.2 noise; the lag-1 one misses by ~20.
        #expect(try #require(crps[0]) < #require(crps[1]))
        #expect(group.selection?.model == "seasonal-naive")
        #expect(group.selection?.reason.contains("no model beat the seasonal-naive baseline") == true)
        #expect(group.notes.isEmpty)
    }

    @Test func selectionReasonStatesTheChangeAgainstTheBaseline() {
        func model(_ name: String, crps: Double) throws -> ModelEvaluation {
            var s = try #require(MetricSummary(averaging: [try Self.summary()]))
            s.crps = crps
            return ModelEvaluation(model: name, isBaseline: ModelEvaluation.isBaselineName(name), overall: s, series: [])
        }
        let selection = try? ModelSelection.lowestCRPS([model("seasonal-naive", crps: 4), model("lstm", crps: 3)])
        #expect(selection?.model == "lstm")
        // (3 − 4) / 4 = −25 %.
        #expect(selection?.reason == "lowest mean CRPS (3.000; seasonal-naive 4.000, -25.0 %)")
        let tie = try? ModelSelection.lowestCRPS([model("lstm", crps: 2), model("seasonal-naive", crps: 2)])
        #expect(tie?.model == "seasonal-naive")
    }

    static func summary() throws -> MetricSummary {
        try #require(try Self.backtest(season: 4, model: "x").overall)
    }

    @Test func missingBaselineIsNotedInTheGroup() throws {
        let group = GroupEvaluation(group: "g", backtests: [try Self.backtest(season: nil, model: "lstm")])
        #expect(group.baseline == nil)
        #expect(group.notes.contains { $0.contains("no seasonal-naive baseline") })
    }

    @Test func pitAndReliabilityCountEveryScoredStep() throws {
        let b = try Self.backtest(season: 4, model: "seasonal-naive")
        let m = ModelEvaluation(backtest: b)
        // 2 series × 3 folds × 4 steps, all observed.
        #expect(m.pit?.total == 24)
        #expect(m.reliability?.counts == [Int](repeating: 24, count: b.configuration.levels.count))
        // Independent count for one level: share of actuals at or below the 0.9 quantile.
        let k = try #require(b.configuration.levels.firstIndex(of: 0.9))
        var hits = 0
        for s in b.series { for f in s.folds { for h in 0..<4 where f.actuals[h] <= f.forecast.quantiles[h][k] { hits += 1 } } }
        #expect(m.reliability?.observedFrequency[k] == Double(hits) / 24)
    }

    @Test func fanChartHistoryIsPiecedTogetherFromEarlierFoldsActuals() throws {
        let b = try Self.backtest(season: 4, model: "seasonal-naive")
        let s = b.series[0]
        #expect(s.folds.map(\.origin) == [28, 32, 36])
        let chart = try #require(FanChart(lastFoldOf: s, model: "seasonal-naive", historyTail: 6))
        // Indices 30…35 are the actuals of folds 1 (steps 3–4) and 2 (steps 1–4).
        #expect(chart.history == Array(Self.values(40)[30..<36]))
        #expect(chart.actuals == Array(Self.values(40)[36..<40]))
        // Asking for more history than the folds cover drops the unknown start instead of padding it.
        let long = try #require(FanChart(lastFoldOf: s, model: "m", historyTail: 20))
        #expect(long.history == Array(Self.values(40)[28..<36]))
        // A given history wins.
        let given = try #require(FanChart(lastFoldOf: s, model: "m", historyTail: 3, history: Self.values(40)))
        #expect(given.history == Array(Self.values(40)[33..<36]))
    }

    @Test func fanChartBandsPairSymmetricLevelsWidestFirst() {
        let bands = FanChartSVG.bands(BacktestConfiguration.defaultLevels)
        // Default levels 0.005, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.995: 99, 95, 90, 80 %.
        #expect(bands.map(\.lower) == [0, 1, 2, 3])
        #expect(bands.map(\.upper) == [8, 7, 6, 5])
        // 0.1 has no 0.9 partner, so only the 90 % interval is drawn.
        #expect(FanChartSVG.bands([0.05, 0.1, 0.5, 0.95]).map(\.coverage).count == 1)
    }

    @Test func htmlEscapesIdsAndFetchesNothing() throws {
        var b = try Self.backtest(season: 4, model: "seasonal-naive", ids: ["<script>alert(1)</script>&\"x'", "b"])
        b.series[1].seriesID = "http://example.com/<b>"
        let report = EvaluationReport(title: "T <&>", createdAt: 0, psmVersion: "test",
                                      groups: [GroupEvaluation(group: "g<1>", backtests: [b])])
        let html = report.html()
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&#39;"))
        #expect(html.contains("<title>T &lt;&amp;&gt;</title>"))
        // No tag refers to the network: every http(s) occurrence is escaped text content.
        let tags = html.split(separator: "<").map { $0.prefix { $0 != ">" } }
        #expect(!tags.contains { $0.contains("http:") || $0.contains("https:") })
        #expect(html.contains("http://example.com/&lt;b&gt;"))
        #expect(html.contains("Content-Security-Policy"))
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"))
    }

    @Test func htmlHasTheChartsTablesAndHighlightsTheBestValues() throws {
        let seasonal = try Self.backtest(season: 4, model: "seasonal-naive")
        let naive = try Self.backtest(season: nil, model: "naive-1")
        var group = GroupEvaluation(group: "g", backtests: [seasonal, naive], fanCharts: 1)
        group.versions = [VersionRecord(id: "20261129T040000Z-0123abcd", createdAt: 1_795_000_000,
                                        parent: "20261128T040000Z-89abcdef", isCurrent: true, model: "seasonal-naive")]
        group.calibration = [CalibrationCoverage(model: "seasonal-naive", method: "cqr",
                                                 before: ["0.9": 0.7], after: ["0.9": 0.9])]
        let html = EvaluationReport(title: "t", createdAt: 0, psmVersion: "x", groups: [group]).html()
        // One series, one fan chart per model, each with four nested bands (99, 95, 90, 80 %); two
        // diagnostics per model.
        #expect(html.components(separatedBy: "class=\"fan\"").count - 1 == 2)
        #expect(html.components(separatedBy: "<polygon class=\"band band").count - 1 == 8)
        #expect(html.components(separatedBy: "class=\"diag\"").count - 1 == 4)
        #expect(html.contains("CURRENT") && html.contains("20261128T040000Z-89abcdef"))
        #expect(html.contains("70.0 %") && html.contains("90.0 %"))
        // In the models table the seasonal row (first body row) holds every lowest error: its
        // CRPS cell is highlighted and the other row's is not.
        let body = try #require(html.components(separatedBy: "<table class=\"metrics\">").dropFirst().first)
        let rows = body.components(separatedBy: "<tr>").dropFirst(2).map { $0.components(separatedBy: "</tr>")[0] }
        #expect(rows.count == 2)
        let crpsColumn = 5 // MASE sMAPE MAE RMSE CRPS: after the model cell, 0-based 4 → td index 5
        func cell(_ row: String, _ i: Int) -> String { row.components(separatedBy: "<td")[i + 1] }
        #expect(cell(rows[0], crpsColumn).contains("best"))
        #expect(!cell(rows[1], crpsColumn).contains("best"))
    }

    @Test func heldOutCoverageIsShownWithItsProtocolCountsAndBlockInterval() throws {
        var tally = CoverageTally(nominals: [0.9])
        tally.covered = [[45], [40], [86]]
        tally.counts = [[50], [50], [100]]
        let heldOut = HeldOutCoverage(method: "residual-quantile",
                                      schedule: try CalibrationSchedule(horizon: 12, window: 288, refresh: 72), originStride: 1,
                                      forecasts: 200, raw: [CoverageEstimate(nominal: 0.9, covered: [50], counts: [200])],
                                      calibrated: tally.estimates(), tally: tally)
        var group = GroupEvaluation(group: "g", backtests: [try Self.backtest(season: 4, model: "seasonal-naive")])
        group.calibration = [CalibrationCoverage(model: "arima", method: heldOut.method, before: HeldOutCoverage.dictionary(heldOut.raw),
                                                 after: HeldOutCoverage.dictionary(heldOut.calibrated), heldOut: heldOut)]
        let report = EvaluationReport(title: "t", createdAt: 0, psmVersion: "x", groups: [group])
        let html = report.html()
        #expect(html.contains("Held-out check: every 72 steps of backtest origins"))
        #expect(html.contains("fitted on the 288 steps"))
        // 171 of 200 covered = 85.5 %; its block interval (independent Python evaluation) 81.2–89.8 %.
        #expect(html.contains("25.0 %") && html.contains("85.5 %") && html.contains("81.2–89.8 %"))
        #expect(try EvaluationReport.decode(json: report.json()) == report)
    }

    @Test func jsonRoundTripsIncludingNaN() throws {
        var group = GroupEvaluation(group: "g", backtests: [try Self.backtest(season: 4, model: "seasonal-naive")])
        group.fanCharts[0].history[0] = .nan
        let report = EvaluationReport(title: "t", createdAt: 1, psmVersion: "x", groups: [group])
        let data = try report.json()
        let decoded = try EvaluationReport.decode(json: data)
        #expect(decoded.groups[0].fanCharts[0].history[0].isNaN)
        #expect(try decoded.json() == data)
    }

    @Test func ticksAreRoundNumbersInsideTheDomain() {
        #expect(LinearScale(domain: (0, 47), range: (0, 1)).ticks(count: 5) == [0, 10, 20, 30, 40])
        #expect(LinearScale(domain: (-0.3, 0.3), range: (0, 1)).ticks(count: 4) == [-0.2, 0, 0.2])
        // A flat series still gets a usable scale.
        let flat = LinearScale(covering: [5, 5, 5], range: (100, 0))
        #expect(flat(5) == 50)
    }
}
