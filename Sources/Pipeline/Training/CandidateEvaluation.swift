import Calibration
import Evaluation
import Forecasting
import TimeSeries

/// One series at one backtest origin (`fold` is the origin: the length of the history the
/// forecast was made from, so keys sort in time order within a series).
package struct FoldKey: Sendable, Hashable, Comparable, Codable {
    package var seriesID: String
    package var fold: Int
    package init(seriesID: String, fold: Int) {
        self.seriesID = seriesID
        self.fold = fold
    }
    package static func < (a: FoldKey, b: FoldKey) -> Bool { (a.seriesID, a.fold) < (b.seriesID, b.fold) }
}

/// A forecast made from one origin and what actually happened.
package struct ScoredForecast: Sendable, Hashable {
    package var forecast: ForecastDistribution
    package var actuals: [Double]
    package init(forecast: ForecastDistribution, actuals: [Double]) {
        self.forecast = forecast
        self.actuals = actuals
    }
}

/// A candidate's backtest forecasts, calibrated, ready for selection.
package struct CandidateForecasts: Sendable {
    package var name: String
    /// Held-out forecasts keyed by series and origin, each corrected by a table fitted on
    /// earlier origins only; origins one horizon apart, so that their errors do not overlap.
    package var forecasts: [FoldKey: ScoredForecast]
    package init(name: String, forecasts: [FoldKey: ScoredForecast]) {
        self.name = name
        self.forecasts = forecasts
    }
}

/// How one candidate did in the backtest, raw and calibrated.
package struct CandidateEvaluation: Sendable {
    package var name: String
    package var calibrated: CandidateForecasts
    /// Every held-out calibrated forecast, per held-out block (oldest block first).
    package var heldOutBlocks: [[(key: FoldKey, forecast: ScoredForecast)]]
    /// The table fitted on the most recent window: what is published; nil when calibration failed.
    package var table: CalibrationTable?
    /// Scores of the raw and calibrated forecasts of `calibrated`'s origins.
    package var rawSummary: MetricSummary?
    package var calibratedSummary: MetricSummary?
    /// Calibrated scores per series (averaged over its scored origins).
    package var seriesSummaries: [String: MetricSummary]
    /// Coverage of every held-out forecast, raw and calibrated; nil when the span was too short.
    package var heldOut: HeldOutCoverage?
    package var diagnostics: [String]
}

/// Calibrates a candidate's rolling backtest by the held-out protocol of `CalibrationSchedule`
/// and scores the calibrated forecasts.
package struct CandidateCalibration: Sendable {
    package var method: CalibrationMethod
    package var minimumSamples: Int
    package var schedule: CalibrationSchedule
    /// Nominal central coverages reported.
    package var nominals = [0.8, 0.9, 0.95]

    package init(method: CalibrationMethod, minimumSamples: Int, schedule: CalibrationSchedule) {
        self.method = method
        self.minimumSamples = minimumSamples
        self.schedule = schedule
    }

    /// Fits the published table on the most recent window and runs the held-out check: each
    /// block of origins is corrected by a table fitted on the window of origins whose targets all
    /// precede the block. Without a held-out block (a span shorter than horizon + 1 steps), the
    /// fold-origin forecasts are scored raw.
    package func evaluate(_ run: RollingBacktestResult, inputs: [ForecastInput]) -> CandidateEvaluation {
        let report = run.report
        var diagnostics = report.series.flatMap { s in s.diagnostics.map { "\(s.seriesID): \($0)" } }
        let levels = run.origins.lazy.compactMap(\.first).first?.forecast.levels ?? report.configuration.levels
        let span = run.span
        let bounds = report.configuration.bounds
        func fit(_ lags: Range<Int>) -> CalibrationTable? {
            let samples = run.origins.flatMap { origins in
                origins.filter { lags.contains($0.lag) }.flatMap { CalibrationSample.samples(from: $0.forecast, actuals: $0.actuals) }
            }
            do {
                return try ConformalCalibrator(levels: levels, method: method, minimumSamples: minimumSamples).fit(samples)
            } catch {
                diagnostics.append("calibration on origins \(lags.lowerBound)…\(lags.upperBound - 1) steps before the last: \(error)")
                return nil
            }
        }
        let table = span > 0 ? fit(schedule.published(span: span)) : nil
        let seasons = inputs.map { $0.season ?? 1 }
        func summary(_ s: ScoredForecast, input: Int, origin: Int) -> MetricSummary? {
            guard input < inputs.count,
                  let accuracy = try? Backtest.score(s.forecast, actuals: s.actuals,
                                                     insample: Array(inputs[input].series.values.prefix(origin)),
                                                     season: seasons[input]) else { return nil }
            return MetricSummary(accuracy, forecast: s.forecast, actuals: s.actuals)
        }

        guard let used = schedule.fitted(toSpan: span) else {
            diagnostics.append("calibration: the backtest's origins span \(span) steps, fewer than horizon + 1: "
                               + "no held-out check, backtest scores are uncalibrated")
            var forecasts: [FoldKey: ScoredForecast] = [:], summaries: [MetricSummary] = []
            var perSeries: [String: [MetricSummary]] = [:]
            for series in report.series {
                for f in series.folds {
                    forecasts[FoldKey(seriesID: series.seriesID, fold: f.origin)] = ScoredForecast(forecast: f.forecast, actuals: f.actuals)
                    summaries.append(f.summary)
                    perSeries[series.seriesID, default: []].append(f.summary)
                }
            }
            let raw = MetricSummary(averaging: summaries)
            return CandidateEvaluation(name: report.model, calibrated: CandidateForecasts(name: report.model, forecasts: forecasts),
                                       heldOutBlocks: [], table: table, rawSummary: raw, calibratedSummary: raw,
                                       seriesSummaries: perSeries.compactMapValues { MetricSummary(averaging: $0) },
                                       heldOut: nil, diagnostics: diagnostics)
        }
        var note: String?
        if used != schedule {
            note = "the backtest's origins span \(span) steps, fewer than window + horizon − 1 + refresh = \(schedule.minimumSpan): "
                + "held-out check with window \(used.window) and refresh \(used.refresh)"
            diagnostics.append("calibration: \(note ?? "")")
        }
        // Origins one horizon apart (rounded up to the origin stride) are scored and compared.
        let spacing = (schedule.horizon + run.originStride - 1) / run.originStride * run.originStride
        var rawTally = CoverageTally(nominals: nominals), calibratedTally = CoverageTally(nominals: nominals)
        var blocks: [[(key: FoldKey, forecast: ScoredForecast)]] = []
        var scored: [FoldKey: ScoredForecast] = [:]
        var rawSummaries: [MetricSummary] = [], calibratedSummaries: [MetricSummary] = []
        var perSeries: [String: [MetricSummary]] = [:]
        var count = 0
        for block in used.blocks(span: span).reversed() {
            guard let blockTable = fit(block.calibration) else { continue }
            rawTally.startBlock()
            calibratedTally.startBlock()
            var members: [(key: FoldKey, forecast: ScoredForecast)] = []
            for (i, origins) in run.origins.enumerated() {
                let id = i < inputs.count ? inputs[i].series.id : report.series[i].seriesID
                for o in origins where block.evaluated.contains(o.lag) {
                    // Clipped again after the correction, as the actuator's scorer does.
                    let corrected = blockTable.apply(to: o.forecast)
                    let calibrated = ScoredForecast(forecast: bounds.map { corrected.clamped(to: $0) } ?? corrected, actuals: o.actuals)
                    rawTally.add(o.forecast, actuals: o.actuals)
                    calibratedTally.add(calibrated.forecast, actuals: o.actuals)
                    let key = FoldKey(seriesID: id, fold: o.origin)
                    members.append((key, calibrated))
                    count += 1
                    guard o.lag % spacing == 0 else { continue }
                    scored[key] = calibrated
                    if let r = summary(ScoredForecast(forecast: o.forecast, actuals: o.actuals), input: i, origin: o.origin) {
                        rawSummaries.append(r)
                    }
                    if let c = summary(calibrated, input: i, origin: o.origin) {
                        calibratedSummaries.append(c)
                        perSeries[id, default: []].append(c)
                    }
                }
            }
            blocks.append(members)
        }
        let heldOut = count == 0 ? nil : HeldOutCoverage(
            method: method.rawValue, schedule: used, originStride: run.originStride, forecasts: count,
            raw: rawTally.estimates(), calibrated: calibratedTally.estimates(), tally: calibratedTally, note: note)
        return CandidateEvaluation(
            name: report.model, calibrated: CandidateForecasts(name: report.model, forecasts: scored), heldOutBlocks: blocks,
            table: table, rawSummary: MetricSummary(averaging: rawSummaries),
            calibratedSummary: MetricSummary(averaging: calibratedSummaries),
            seriesSummaries: perSeries.compactMapValues { MetricSummary(averaging: $0) }, heldOut: heldOut,
            diagnostics: diagnostics)
    }

    /// The held-out coverage of a combination of candidates' calibrated forecasts by `rule`
    /// (the weighted rule with the weights `weights(origin)` gives for each origin), over the
    /// origins all of them forecast, block by block.
    func combinedHeldOut(_ parts: [CandidateEvaluation], rule: CombinationRule,
                         weights: (Int) -> [Double]) -> HeldOutCoverage? {
        guard let first = parts.first, let base = first.heldOut,
              parts.allSatisfy({ $0.heldOutBlocks.count == first.heldOutBlocks.count }) else { return nil }
        var tally = CoverageTally(nominals: nominals)
        var count = 0
        for b in first.heldOutBlocks.indices {
            tally.startBlock()
            let others = parts.dropFirst().map { p in
                Dictionary(p.heldOutBlocks[b].map { ($0.key, $0.forecast) }, uniquingKeysWith: { a, _ in a })
            }
            for member in first.heldOutBlocks[b] {
                let forecasts = [member.forecast] + others.map { $0[member.key] }
                guard let c = Selection.combine(forecasts, rule: rule, weights: rule == .weighted ? weights(member.key.fold) : nil)
                else { continue }
                tally.add(c.forecast, actuals: c.actuals)
                count += 1
            }
        }
        guard count > 0 else { return nil }
        return HeldOutCoverage(method: base.method, schedule: base.schedule, originStride: base.originStride, forecasts: count,
                               raw: [], calibrated: tally.estimates(), tally: tally, note: base.note)
    }
}
