import TimeSeries

extension CalibrationTable {
    /// The table laid out for being applied to many forecasts, as the actuator does to every
    /// group's forecast every cycle: all steps' offsets in one contiguous array, each step's
    /// validity and the normal spread of the outermost levels computed once, and the forecast
    /// corrected in place. Same arithmetic in the same order as `apply(to:)`, so the result is
    /// bit for bit the same (CalibrationPreparedTests).
    package struct Prepared: Sendable, Hashable {
        package let method: CalibrationMethod
        package let levels: [Double]
        /// Offsets of step h (0-based, clamped to the table's steps) at `h * levels.count`.
        let offsets: [Double]
        /// Whether each stored row is usable (right width, all finite).
        let usable: [Bool]
        /// Rows stored: the table's steps, or one row of zeros for a table without steps.
        let rows: Int
        /// Φ⁻¹(τ_hi) − Φ⁻¹(τ_lo) for `.residualQuantile`, nil otherwise (or when undefined).
        let spread: Double?

        init(_ table: CalibrationTable) {
            method = table.method
            levels = table.levels
            let width = table.levels.count
            let source = table.steps.isEmpty ? [[Double](repeating: 0, count: width)] : table.steps.map(\.offsets)
            rows = source.count
            var flat = [Double](repeating: 0, count: rows * width)
            var usable = [Bool](repeating: false, count: rows)
            for (r, row) in source.enumerated() where row.count == width && row.allSatisfy(\.isFinite) {
                usable[r] = true
                for k in 0..<width { flat[r * width + k] = row[k] }
            }
            offsets = flat
            self.usable = usable
            spread = table.method == .residualQuantile && !table.levels.isEmpty
                ? CalibrationTable.normalSpread(lowerLevel: table.levels[0], upperLevel: table.levels[width - 1]) : nil
        }

        /// Corrects `forecast` in place, exactly as `CalibrationTable.apply(to:)` returns it.
        package func apply(to forecast: inout ForecastDistribution) {
            let width = levels.count
            var columns = [Int](repeating: -1, count: width)
            for (k, level) in levels.enumerated() {
                columns[k] = forecast.levels.firstIndex { abs($0 - level) < 1e-9 } ?? -1
            }
            let lo = columns.first ?? -1, hi = columns.last ?? -1
            for h in forecast.quantiles.indices {
                // Step h + 1 of the table; steps past it reuse its last step.
                let r = min(h, rows - 1)
                guard usable[r] else { continue }
                let base = r * width
                var unit = 1.0
                if method == .residualQuantile {
                    guard lo >= 0, hi >= 0, let spread,
                          let scale = CalibrationTable.scale(lower: forecast.quantiles[h][lo], upper: forecast.quantiles[h][hi],
                                                             spread: spread)
                    else { continue }
                    unit = scale
                }
                for k in 0..<width where columns[k] >= 0 {
                    forecast.quantiles[h][columns[k]] += unit * offsets[base + k]
                }
                forecast.quantiles[h].sort()
            }
        }
    }

    /// This table prepared for repeated use.
    package func prepared() -> Prepared { Prepared(self) }
}
