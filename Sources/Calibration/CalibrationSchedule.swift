/// Which backtest origins calibrate which forecasts: the held-out protocol of the training job.
///
/// Origins are placed by their *lag*: how many steps before the series' last origin they lie
/// (0 = the last origin, whose horizon ends with the data). A table is always fitted on the
/// origins of one `window` whose forecast targets all precede the forecasts it corrects:
///
/// - **Published table**: origins with lag in [0, window) — the most recent window.
/// - **Held-out check**: the origins are cut, from the end backwards, into blocks of `refresh`
///   steps (the training schedule: each block is one period in which a published table serves).
///   Block j holds lags [j·refresh, (j + 1)·refresh); its table is fitted on the origins with lag
///   in [(j + 1)·refresh + horizon − 1, that + window), i.e. those whose every target (origin +
///   step − 1, step ≤ horizon) lies strictly before the block's first origin. A block is
///   evaluated only when that whole window lies inside the backtest span, so no block is ever
///   corrected with data from its own time or later.
package struct CalibrationSchedule: Sendable, Hashable, Codable {
    /// Steps forecast from each origin (the embargo between calibration and evaluation is horizon − 1).
    package var horizon: Int
    /// Steps of origins one table is fitted on.
    package var window: Int
    /// Steps of origins one table corrects before the next is fitted (a held-out block).
    package var refresh: Int

    /// Lag ranges (steps before the last origin) of one held-out block and of its calibration window.
    package struct Block: Sendable, Hashable, Codable {
        /// Lags of the forecasts corrected and scored.
        package var evaluated: Range<Int>
        /// Lags of the origins the block's table is fitted on (all larger, i.e. earlier, than `evaluated`).
        package var calibration: Range<Int>
    }

    /// - Throws: `invalidParameter` unless horizon, window and refresh are all at least 1.
    package init(horizon: Int, window: Int, refresh: Int) throws(CalibrationError) {
        guard horizon >= 1, window >= 1, refresh >= 1 else {
            throw CalibrationError(.invalidParameter,
                                   "horizon, window and refresh must be at least 1, got \(horizon), \(window), \(refresh)")
        }
        self.horizon = horizon
        self.window = window
        self.refresh = refresh
    }

    /// The lags of the published table's origins on a span of `span` steps: the last `window`.
    package func published(span: Int) -> Range<Int> { 0..<max(0, min(window, span)) }

    /// Steps of origins a span must hold for one held-out block.
    package var minimumSpan: Int { window + horizon - 1 + refresh }

    /// The held-out blocks of a backtest whose origins span `span` steps (lags 0..<span), most
    /// recent first; empty when the span is shorter than `minimumSpan`.
    package func blocks(span: Int) -> [Block] {
        var blocks: [Block] = []
        var j = 0
        while true {
            let start = (j + 1) * refresh + horizon - 1
            guard start + window <= span else { break }
            blocks.append(Block(evaluated: (j * refresh)..<((j + 1) * refresh), calibration: start..<(start + window)))
            j += 1
        }
        return blocks
    }

    /// The schedule to use on a span of `span` steps: this one when the span holds at least one
    /// block; otherwise a smaller one that splits what there is (after the embargo) into an
    /// earlier half that calibrates and a later half that is held out; nil when the span cannot
    /// hold even one origin of each (span < horizon + 1).
    package func fitted(toSpan span: Int) -> CalibrationSchedule? {
        if span >= minimumSpan { return self }
        let usable = span - (horizon - 1)
        guard usable >= 2 else { return nil }
        var s = self
        s.window = usable / 2
        s.refresh = usable - s.window
        return s
    }
}
