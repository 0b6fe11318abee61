import Features
import TimeSeries

/// One series to forecast, with what is known about it.
public struct ForecastInput: Sendable {
    public var series: Series
    /// The seasonal period in steps, when there is one (24 for hourly data with a daily cycle).
    public var season: Int?
    /// Known regressors over the history *and* the horizon: `rows == series.count + horizon`.
    /// Calendar columns are known ahead; promotion and notice columns are taken as given.
    public var regressors: FeatureMatrix?

    public init(series: Series, season: Int? = nil, regressors: FeatureMatrix? = nil) {
        self.series = series
        self.season = season
        self.regressors = regressors
    }
}

/// What a forecaster produced for one series: a distribution, or why there is none.
public struct SeriesForecast: Sendable {
    public var seriesID: String
    public var result: Result<ForecastDistribution, ForecastError>
    /// The model actually used, e.g. `ARIMA(1,0,1)(0,1,1)[24]` or `seasonal-naive[24]`.
    public var model: String
    /// What the engine noticed and did about it (fallbacks, masked values, …).
    public var diagnostics: [String]
    /// Grid positions of observations near the forecast origin that the model treated as
    /// outliers rather than signal (ARIMA's `OriginOutlierGuard`); empty when none was.
    public var originOutliers: [Int64]

    public init(seriesID: String, result: Result<ForecastDistribution, ForecastError>, model: String,
                diagnostics: [String] = [], originOutliers: [Int64] = []) {
        self.seriesID = seriesID
        self.result = result
        self.model = model
        self.diagnostics = diagnostics
        self.originOutliers = originOutliers
    }
}

/// A forecasting engine: fits on a batch of series (a VM group, for global models) and forecasts
/// each one `horizon` steps past its end as quantiles at `levels`.
///
/// A series the engine cannot model falls back to a simpler model with a diagnostic; only a
/// request that makes no sense (bad horizon or levels, mismatched regressors) throws.
public protocol Forecaster: Sendable {
    /// The name used on the command line (`seasonal-naive`, `arima`, `lstm`).
    var name: String { get }
    func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast]
}

/// Why a forecast could not be made.
public struct ForecastError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        case invalidRequest, insufficientData, regressorMismatch, notConverged, numericalFailure
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

extension Forecaster {
    /// Validates a request's horizon, levels and regressor shapes; engines call this first.
    public static func validate(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) {
        guard horizon >= 1 else { throw ForecastError(.invalidRequest, "horizon must be at least 1, got \(horizon)") }
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }),
              zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw ForecastError(.invalidRequest, "quantile levels must be strictly increasing in (0, 1), got \(levels)") }
        for input in inputs {
            if let season = input.season, season < 1 {
                throw ForecastError(.invalidRequest, "\(input.series.id): season must be at least 1, got \(season)")
            }
            if let x = input.regressors, x.rows != input.series.count + horizon {
                throw ForecastError(.regressorMismatch,
                                    "\(input.series.id): regressors have \(x.rows) rows, expected \(input.series.count) history + \(horizon) horizon")
            }
        }
    }
}
