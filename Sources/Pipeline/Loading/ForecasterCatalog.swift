import Forecasting
import TimeSeries

/// The forecasting engines `--model` can name.
package enum ForecasterCatalog {
    package static let names = ["seasonal-naive", "arima", "ets", "theta", "lstm", "auto", "combination"]

    /// `auto` and `combination` backtest each series with the training job's selection
    /// (`AutoForecaster`), clipping into `bounds` as they go; `rule` is `combination`'s.
    package static func make(_ name: String, lstm: LSTMConfiguration, jobs: Int, bounds: SupportBounds = .unbounded,
                     rule: CombinationRule = .weighted) throws -> any Forecaster {
        switch name {
        case "auto": return AutoForecaster(bounds: bounds, jobs: jobs)
        case "combination": return AutoForecaster(combination: rule, bounds: bounds, jobs: jobs)
        case "seasonal-naive": return SeasonalNaive()
        case "arima": return ARIMAForecaster(jobs: jobs)
        case "ets": return ETSForecaster(jobs: jobs)
        case "theta": return ThetaForecaster(jobs: jobs)
        case "lstm": return LSTMForecaster(configuration: lstm)
        default:
            throw InputsError("unknown model \"\(name)\"; choose one of \(names.joined(separator: ", "))")
        }
    }
}
