import Features
import TimeSeries

/// A series made ready for fitting: scaled values, the design rows of its regressors.
struct PreparedSeries {
    var y: [Double]
    var scale: Double
    var grid: TimeGrid
    var design: ARIMADesign
    var rows: [Double]

    init(_ series: Series, specification: ARIMASpecification, regressors: FeatureMatrix?, scale fixedScale: Double? = nil)
        throws(ForecastError) {
        let observed = series.values.filter(\.isFinite)
        guard !observed.isEmpty else { throw ForecastError(.insufficientData, "\(series.id): no observed values") }
        var scale = 1.0
        if let fixedScale {
            scale = fixedScale
        } else {
            // The standard deviation, computed on values divided by their largest magnitude so that
            // squares neither underflow (1e-200) nor overflow (1e200).
            let largest = observed.map(abs).max() ?? 1
            let unit = largest > 0 && largest.isFinite ? largest : 1
            let normalised = observed.map { $0 / unit }
            let mean = normalised.reduce(0, +) / Double(observed.count)
            let variance = normalised.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(observed.count)
            let sd = variance.squareRoot() * unit
            scale = sd.isFinite && sd > 0 ? sd : unit
        }
        self.scale = scale
        y = series.values.map { $0.isFinite ? $0 / scale : .nan }
        grid = series.grid
        let origin = Self.stepIndex(series.grid.start, step: series.grid.step)
        design = ARIMADesign(specification, origin: origin)
        let names = specification.exogenous
        var exogenous: [Double] = []
        if !names.isEmpty {
            guard let regressors, regressors.rows >= series.count else {
                throw ForecastError(.regressorMismatch, "\(series.id): regressors \(names) need at least \(series.count) rows")
            }
            var columns: [Int] = []
            for n in names {
                guard let c = regressors.names.firstIndex(of: n) else {
                    throw ForecastError(.regressorMismatch, "\(series.id): regressor column \(n) is missing")
                }
                columns.append(c)
            }
            exogenous = [Double](repeating: 0, count: series.count * names.count)
            for r in 0..<series.count { for (j, c) in columns.enumerated() { exogenous[r * names.count + j] = regressors[r, c] } }
        }
        rows = design.rows(first: origin, count: series.count, exogenous: exogenous)
    }

    static func stepIndex(_ position: Int64, step: Int64) -> Int64 {
        let q = position / step
        return position % step < 0 ? q - 1 : q
    }

    func differenced(_ order: ARIMAOrder) -> DifferencedData {
        DifferencedData(y: y, design: rows, regressors: design.columnCount, order: order)
    }
}

extension ARIMAModel {
    /// Fits a fixed specification to `series` (regressors: at least `series.count` rows holding
    /// the columns named in `specification.exogenous`; extra rows are ignored).
    public static func fit(_ series: Series, specification: ARIMASpecification, regressors: FeatureMatrix? = nil,
                           method: ARIMAMethod = .ml) throws(ForecastError) -> ARIMAModel {
        let prepared = try PreparedSeries(series, specification: specification, regressors: regressors)
        let data = prepared.differenced(specification.order)
        guard let estimate = ARIMAEstimator.fit(specification, data: data, method: method) else {
            throw ForecastError(.notConverged, "\(series.id): \(specification) could not be estimated")
        }
        return try ARIMAModel(estimate: estimate, y: prepared.y, design: prepared.rows, designSpec: prepared.design,
                              grid: prepared.grid, scale: prepared.scale, diagnostics: [])
    }
}
