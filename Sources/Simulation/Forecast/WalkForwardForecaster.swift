import Calibration
import Forecasting
import TimeSeries

/// Produces a group's `ForecastStream` walk-forward: at every boundary the model has seen the
/// demand before it and nothing after.
///
/// Every `retrainEvery` the model is refitted on the last training window; in between it takes
/// each interval's demand through the engine's incremental scoring path (`ARIMAModel.append`,
/// `ETSModel.append`, `ThetaModel.append`, as the actuator's `GroupScorer` does), so no boundary
/// refits. ETS picks its specification once per group (AutoETS on the first window, as ARIMA's
/// `auto` order) and re-estimates that specification at every later refit; Theta refits whole. At every refit after the first,
/// a conformal table (`ConformalCalibrator`, residual quantiles) is fitted on the forecasts the
/// stream issued over the calibration window and the demand that followed them; the table is
/// applied to every forecast until the next refit (`CalibrationTable.apply`, as `GroupScorer`
/// applies the manifest's table). The first period is uncalibrated; the sizer's adaptive
/// conformal correction works on top either way.
package struct WalkForwardForecaster: Sendable {
    package let parameters: SimulationParameters
    /// Forecast steps per boundary.
    package let horizon: Int

    package init(parameters: SimulationParameters, horizon: Int) {
        self.parameters = parameters
        self.horizon = max(horizon, 1)
    }

    /// The model a boundary forecasts with.
    enum Engine {
        case arima(ARIMAModel)
        case ets(ETSModel)
        case theta(ThetaModel)
        /// A training window without variation: every quantile is that value.
        case flat(Double)
        case seasonalNaive
        case none
    }

    /// The forecasts of `trace` from interval `start` on.
    package func stream(for trace: GroupTrace, start: Int) -> ForecastStream {
        let n = trace.count
        var stream = ForecastStream(start: start, count: max(n - start, 0))
        guard start < n else { return stream }
        let window = trace.trainingIntervals(parameters.trainingWindow)
        let every = trace.trainingIntervals(parameters.retrainEvery)
        let calibrationSpan = parameters.calibrationWindow > 0 ? trace.trainingIntervals(parameters.calibrationWindow) : 0
        let season = Self.season(parameters.season, interval: trace.interval)
        stream.season = season
        var orderSpec: ARIMASpecification?
        var warm: ARIMAWarmStart?
        var etsSpec: ETSSpecification?
        var engine = Engine.none
        var table: CalibrationTable?
        let levels = parameters.levels

        for i in start..<n {
            let k = i - start
            if k > 0 {
                // The interval that just ended, through the scoring path (no refit).
                do throws(ForecastError) {
                    switch engine {
                    case .arima(var model):
                        try model.append(observations: [trace.demand[i - 1]])
                        engine = .arima(model)
                    case .ets(var model):
                        try model.append(observations: [trace.demand[i - 1]])
                        engine = .ets(model)
                    case .theta(var model):
                        try model.append(observations: [trace.demand[i - 1]])
                        engine = .theta(model)
                    default: break
                    }
                } catch {
                    stream.diagnostics.append("\(trace.label(i)): \(parameters.model) append failed (\(error.message)); no forecast until the next refit")
                    engine = .none
                }
            }
            if k % every == 0 {
                let from = max(0, i - window)
                let history = Series(id: trace.group, grid: TimeGrid(axis: trace.grid.axis, start: trace.grid.position(at: from),
                                                                  step: trace.grid.step, count: i - from),
                                     values: Array(trace.demand[from..<i]))
                switch parameters.model {
                case "ets": engine = fitETS(history, season: season, spec: &etsSpec, previous: engine, stream: &stream)
                case "theta": engine = fitTheta(history, season: season, previous: engine, stream: &stream)
                default: engine = fit(history, season: season, spec: &orderSpec, warm: &warm, previous: engine, stream: &stream)
                }
                if k > 0 {
                    table = calibrate(stream: stream, trace: trace, upTo: i, span: calibrationSpan)
                    if table != nil { stream.calibrations += 1 }
                }
            }
            let raw = forecast(engine, trace: trace, boundary: i, season: season, window: window, levels: levels)
            stream.raw[k] = raw
            stream.calibrated[k] = raw.map { table?.apply(to: $0) ?? $0 }
        }
        return stream
    }

    /// The season in intervals: the configured one, else a day when the interval divides it
    /// (the batch commands' default for sub-daily data). Detecting it from the first training
    /// window was tried and rejected: three days of smooth aggregates yield spurious 3- to
    /// 17-interval periods (docs/results.md).
    static func season(_ configured: Int?, interval: Double) -> Int? {
        if let configured { return configured > 1 ? configured : nil }
        guard interval > 0, interval < 86_400 else { return nil }
        let perDay = 86_400 / interval
        return perDay == perDay.rounded() && perDay >= 2 ? Int(perDay) : nil
    }

    /// Refits on `history`; on failure keeps the previous engine (which then keeps appending).
    /// The first fit of the group's specification is cold (AutoARIMA's, or `ARIMAModel.fit` for a
    /// fixed order); every later one without seasonal ARMA lags is warm, from the last fit's
    /// optimum (`ARIMAWarmStart`).
    private func fit(_ history: Series, season: Int?, spec: inout ARIMASpecification?, warm: inout ARIMAWarmStart?,
                     previous: Engine, stream: inout ForecastStream) -> Engine {
        stream.fits += 1
        let observed = history.values.filter(\.isFinite)
        if let first = observed.first, observed.allSatisfy({ $0 == first }) {
            stream.noteModel("flat (constant training window)")
            return .flat(first)
        }
        if parameters.model == "seasonal-naive" {
            stream.noteModel(season.map { "seasonal-naive[\($0)]" } ?? "naive")
            return .seasonalNaive
        }
        do throws(ForecastError) {
            if spec == nil {
                switch (try? ARIMAOrderChoice.parse(parameters.arimaOrder)) ?? .auto {
                case .auto:
                    // AutoARIMA's model is already the exact-ML fit of its specification on this window.
                    let model = try AutoARIMA.fit(history, season: season)
                    spec = model.specification
                    warm = ARIMAWarmStart(from: model)
                    stream.noteModel(model.name)
                    return .arima(model)
                case .fixed(let p, let d, let q):
                    spec = Self.fixedSpecification(p: p, d: d, q: q, season: season, harmonics: parameters.fourierHarmonics)
                }
            }
            guard let spec else { throw ForecastError(.notConverged, "no specification") }
            let model: ARIMAModel
            // Seasonal-lag orders (P or Q > 0; short seasons, e.g. the ASG trace's 12) are refitted
            // cold: their likelihood has several optima, and warm refits that stayed in one left
            // more demand unserved there (docs/benchmarks.md). Fourier seasons are warm.
            if var start = warm, start.specification == spec, spec.order.P + spec.order.Q == 0 {
                model = try start.refit(history)
                warm = start
            } else {
                model = try ARIMAModel.fit(history, specification: spec, method: .ml)
                warm = ARIMAWarmStart(from: model)
            }
            stream.noteModel(model.name)
            return .arima(model)
        } catch {
            stream.failedFits += 1
            stream.diagnostics.append("\(history.id): ARIMA fit on \(history.count) intervals failed (\(error.message))")
        }
        if case .arima = previous { return previous }
        // The first fit failed: the non-seasonal fallback the batch forecaster uses.
        if let model = try? ARIMAModel.fit(history, specification: ARIMASpecification(order: ARIMAOrder(p: 0, d: 1, q: 1))) {
            stream.noteModel(model.name)
            return .arima(model)
        }
        stream.noteModel(season.map { "seasonal-naive[\($0)]" } ?? "naive")
        return .seasonalNaive
    }

    /// A constant window is flat (as for ARIMA); otherwise ETS with the group's specification
    /// (AutoETS on the first window), re-estimated; on failure the previous engine, else seasonal naive.
    private func fitETS(_ history: Series, season: Int?, spec: inout ETSSpecification?, previous: Engine,
                        stream: inout ForecastStream) -> Engine {
        stream.fits += 1
        let observed = history.values.filter(\.isFinite)
        if let first = observed.first, observed.allSatisfy({ $0 == first }) {
            stream.noteModel("flat (constant training window)")
            return .flat(first)
        }
        do throws(ForecastError) {
            let model: ETSModel
            if let spec {
                model = try ETSModel.fit(history, specification: spec)
            } else {
                model = try AutoETS.fit(history, season: season)
                spec = model.specification
            }
            stream.noteModel(model.name)
            return .ets(model)
        } catch {
            stream.failedFits += 1
            stream.diagnostics.append("\(history.id): ETS fit on \(history.count) intervals failed (\(error.message))")
        }
        if case .ets = previous { return previous }
        stream.noteModel(season.map { "seasonal-naive[\($0)]" } ?? "naive")
        return .seasonalNaive
    }

    /// Optimised Theta refitted on the window; on failure the previous engine, else seasonal naive.
    private func fitTheta(_ history: Series, season: Int?, previous: Engine, stream: inout ForecastStream) -> Engine {
        stream.fits += 1
        let observed = history.values.filter(\.isFinite)
        if let first = observed.first, observed.allSatisfy({ $0 == first }) {
            stream.noteModel("flat (constant training window)")
            return .flat(first)
        }
        do throws(ForecastError) {
            let model = try ThetaModel.fit(history, season: season)
            stream.noteModel(model.name)
            return .theta(model)
        } catch {
            stream.failedFits += 1
            stream.diagnostics.append("\(history.id): Theta fit on \(history.count) intervals failed (\(error.message))")
        }
        if case .theta = previous { return previous }
        stream.noteModel(season.map { "seasonal-naive[\($0)]" } ?? "naive")
        return .seasonalNaive
    }

    /// ARIMA(p,d,q) with a constant when undifferenced, and Fourier terms for the season.
    static func fixedSpecification(p: Int, d: Int, q: Int, season: Int?, harmonics: Int) -> ARIMASpecification {
        var fourier: [ARIMAFourier] = []
        if let season, season > 2, harmonics > 0 {
            fourier = [ARIMAFourier(period: Double(season), harmonics: min(harmonics, season / 2))]
        }
        return ARIMASpecification(order: ARIMAOrder(p: p, d: d, q: q), trend: d == 0 ? .constant : .none, fourier: fourier)
    }

    private func forecast(_ engine: Engine, trace: GroupTrace, boundary i: Int, season: Int?, window: Int,
                          levels: [Double]) -> ForecastDistribution? {
        let grid = TimeGrid(axis: trace.grid.axis, start: trace.grid.position(at: i), step: trace.grid.step, count: horizon)
        switch engine {
        case .arima(let model):
            return try? model.forecast(horizon: horizon, levels: levels)
        case .ets(let model):
            return try? model.forecast(horizon: horizon, levels: levels)
        case .theta(let model):
            return try? model.forecast(horizon: horizon, levels: levels)
        case .flat(let value):
            return try? ForecastDistribution(grid: grid, levels: levels, mean: Array(repeating: value, count: horizon),
                                             quantiles: Array(repeating: Array(repeating: value, count: levels.count), count: horizon))
        case .seasonalNaive:
            let from = max(0, i - window)
            let history = Series(id: trace.group, grid: TimeGrid(axis: trace.grid.axis, start: trace.grid.position(at: from),
                                                              step: trace.grid.step, count: i - from),
                                 values: Array(trace.demand[from..<i]))
            let result = try? SeasonalNaive().forecast([ForecastInput(series: history, season: season)], horizon: horizon, levels: levels)
            return try? result?.first?.result.get()
        case .none:
            return nil
        }
    }

    /// A table from the stream's own past forecasts whose outcomes are known by boundary `i`.
    private func calibrate(stream: ForecastStream, trace: GroupTrace, upTo i: Int, span: Int) -> CalibrationTable? {
        guard span > 0, let calibrator = try? ConformalCalibrator(levels: parameters.levels, method: .residualQuantile) else {
            return nil
        }
        var samples: [CalibrationSample] = []
        for b in max(stream.start, i - span)..<i {
            guard let f = stream.rawForecast(at: b) else { continue }
            for h in 1...f.horizon where b + h - 1 < i {
                let actual = trace.demand[b + h - 1]
                guard actual.isFinite else { continue }
                samples.append(CalibrationSample(step: h, actual: actual, quantiles: f.quantiles[h - 1]))
            }
        }
        guard samples.count >= 20 else { return nil }
        return try? calibrator.fit(samples)
    }
}
