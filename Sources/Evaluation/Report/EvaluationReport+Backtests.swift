import Calibration
import Forecasting
import Markup
import TimeSeries

extension GroupEvaluation {
    /// Compares backtests of several models on the same series: the seasonal-naive one is marked
    /// as the baseline and listed first, the model with the lowest mean CRPS is selected, and the
    /// last folds of the first `fanCharts` series become fan charts, one per model.
    ///
    /// `history`, when given, maps series ids to their values up to each fan chart's origin
    /// (the last `historyTail` are shown); otherwise the history is pieced together from the
    /// earlier folds' actuals.
    package init(group: String, backtests: [BacktestReport], fanCharts: Int = 4, historyTail: Int = 48,
                history: [String: [Double]] = [:]) {
        let evaluations = backtests.map(ModelEvaluation.init(backtest:))
        let order = evaluations.indices.sorted { a, b in
            evaluations[a].isBaseline != evaluations[b].isBaseline ? evaluations[a].isBaseline : a < b
        }
        let models = order.map { evaluations[$0] }
        let selection = ModelSelection.lowestCRPS(models)
        var notes: [String] = []
        if !models.contains(where: \.isBaseline) {
            notes.append("no seasonal-naive baseline was given: run psm backtest --model seasonal-naive on the same data")
        }
        notes += Self.outlierNotes(ordered: backtests)
        let configurations = Set(backtests.map(\.configuration))
        if configurations.count > 1 {
            notes.append("the models were backtested with different horizons, folds or levels; their scores are not strictly comparable")
        }
        // Every model's last fold of the same few series, series by series, so that the models'
        // fans for one series sit side by side (the selected model's first).
        let ordered = order.map { backtests[$0] }
        let chartModels = ordered.filter { $0.model == selection?.model } + ordered.filter { $0.model != selection?.model }
        var charts: [FanChart] = []
        let ids = ordered.first?.series.prefix(max(fanCharts, 0)).map(\.seriesID) ?? []
        for id in ids {
            for backtest in chartModels {
                if let s = backtest.series.first(where: { $0.seriesID == id }),
                   let chart = FanChart(lastFoldOf: s, model: backtest.model, historyTail: historyTail, history: history[id]) {
                    charts.append(chart)
                }
            }
        }
        self.init(group: group, configuration: backtests.first?.configuration, models: models,
                  selection: selection, fanCharts: charts, notes: notes)
    }
}

extension GroupEvaluation {
    /// One note per model whose forecasts treated observations near an origin as outliers:
    /// which series and folds, so a reader can tell why those fans do not follow the last point.
    static func outlierNotes(ordered backtests: [BacktestReport]) -> [String] {
        backtests.compactMap { backtest in
            let treated = backtest.series.flatMap { s in
                s.folds.compactMap { f in
                    f.originOutliers.map { positions -> String in
                        let axis = f.forecast.grid.axis
                        let points = f.originOutlierPoints ?? positions.map { OriginOutlier(position: $0) }
                        let said = points.map { p -> String in
                            let at = axis == .time ? Timestamp.format(p.position) : "\(p.position)"
                            guard let v = p.value, let r = p.replacement else { return "at \(at)" }
                            return "at \(at), value \(OriginScreen.shown(v)) replaced by \(OriginScreen.shown(r))"
                        }
                        return "\(s.seriesID) fold \(f.fold) (" + said.joined(separator: "; ") + ")"
                    }
                }
            }
            guard !treated.isEmpty else { return nil }
            let shown = treated.prefix(12).joined(separator: ", ") + (treated.count > 12 ? ", … (\(treated.count) in all)" : "")
            return "\(backtest.model): observations near the forecast origin treated as outliers, not extrapolated: \(shown)"
        }
    }
}

extension ModelEvaluation {
    /// Whether `model` names the seasonal-naive baseline.
    package static func isBaselineName(_ model: String) -> Bool {
        model.lowercased().hasPrefix("seasonal-naive")
    }

    /// Scores and calibration diagnostics (PIT over 10 bins, reliability at the backtest's
    /// levels) of one backtest, over every scored fold of every series.
    package init(backtest: BacktestReport) {
        var pitValues: [Double] = []
        var samples: [CalibrationSample] = []
        let levels = backtest.configuration.levels
        for s in backtest.series {
            for f in s.folds {
                pitValues += PIT.values(f.forecast, actuals: f.actuals)
                // Reliability needs one set of levels; a fold forecast at other levels is left out.
                if f.forecast.levels.count == levels.count,
                   zip(f.forecast.levels, levels).allSatisfy({ abs($0 - $1) < 1e-9 }) {
                    samples += CalibrationSample.samples(from: f.forecast, actuals: f.actuals)
                }
            }
        }
        let histogram = PITHistogram(pitValues, bins: 10)
        self.init(model: backtest.model, isBaseline: Self.isBaselineName(backtest.model), overall: backtest.overall,
                  series: backtest.series.map { SeriesMetrics(seriesID: $0.seriesID, folds: $0.folds.count, summary: $0.summary) },
                  pit: histogram.total > 0 ? histogram : nil,
                  reliability: samples.isEmpty ? nil : ReliabilityDiagram(levels: levels, samples: samples))
    }
}

extension ModelSelection {
    /// The model with the lowest mean CRPS (a proper score of the whole distribution; the series
    /// are the same for every model, so the means are comparable); ties go to the baseline, then
    /// to the earlier model. Nil when no model was scored.
    package static func lowestCRPS(_ models: [ModelEvaluation]) -> ModelSelection? {
        let scored = models.compactMap { m in m.overall.flatMap { $0.crps.isFinite ? (m, $0.crps) : nil } }
        guard let best = scored.min(by: { a, b in
            a.1 != b.1 ? a.1 < b.1 : (a.0.isBaseline && !b.0.isBaseline)
        }) else { return nil }
        var reason = "lowest mean CRPS (\(ReportNumber.format(best.1))"
        if let baseline = scored.first(where: { $0.0.isBaseline }), !best.0.isBaseline, baseline.1 > 0 {
            let change = (best.1 - baseline.1) / baseline.1 * 100
            reason += "; seasonal-naive \(ReportNumber.format(baseline.1)), \(ReportNumber.format(change, decimals: 1)) %"
        } else if best.0.isBaseline, scored.count > 1 {
            reason += "; no model beat the seasonal-naive baseline"
        }
        reason += ")"
        return ModelSelection(model: best.0.model, reason: reason)
    }
}

extension FanChart {
    /// The last scored fold of `series`, with up to `historyTail` values before its origin taken
    /// from `history` (the series' values by index) or, without it, from the earlier folds' actuals.
    package init?(lastFoldOf series: SeriesBacktest, model: String, historyTail: Int, history: [Double]? = nil) {
        guard let last = series.folds.max(by: { $0.origin < $1.origin }) else { return nil }
        let tail = max(historyTail, 0)
        let start = max(last.origin - tail, 0)
        var values: [Double]
        if let history {
            values = (start..<last.origin).map { $0 < history.count ? history[$0] : .nan }
        } else {
            values = [Double](repeating: .nan, count: last.origin - start)
            for f in series.folds where f.origin < last.origin {
                for (h, y) in f.actuals.enumerated() {
                    let i = f.origin + h
                    if i >= start, i < last.origin { values[i - start] = y }
                }
            }
        }
        // Leading unknowns would only stretch the x axis.
        if let first = values.firstIndex(where: { !$0.isNaN }) { values.removeFirst(first) } else { values = [] }
        self.init(seriesID: series.seriesID, model: model, history: values, forecast: last.forecast, actuals: last.actuals)
    }
}
