import Foundation
import LinearAlgebra
import TimeSeries

/// One group's simulation: its forecasts, and each policy's outcome at the run's parameters and
/// at every sweep point.
package struct GroupResult: Sendable {
    package var group: String
    package var intervals: Int
    /// The first simulated interval (the training window before it is history only).
    package var start: Int
    package var interval: Double
    package var missingIntervals: Int
    package var forecastModels: [String]
    /// The seasonal period the forecasts used (nil: none or no forecasts).
    package var season: Int?
    package var fits: Int
    package var failedFits: Int
    package var calibrations: Int
    package var missingForecasts: Int
    package var diagnostics: [String]
    /// Outcomes at the run's parameters, in the order the policies were asked for.
    package var outcomes: [PolicyOutcome]
    /// Per sweep of the simulator, the swept policy's outcome at each value (empty when that
    /// policy is not simulated).
    package var sweeps: [[PolicyOutcome]]
    /// The simulated demand, kept for plotted groups.
    package var demand: [Double]?
}

/// Replays demand traces through scaling policies (docs/simulation.md).
package struct Simulator: Sendable {
    package let parameters: SimulationParameters
    package let policies: [PolicyKind]
    package let sweeps: [Sweep]

    package init(parameters: SimulationParameters, policies: [PolicyKind], sweeps: [Sweep] = []) throws(SimulationError) {
        try parameters.validate()
        guard !policies.isEmpty else { throw SimulationError(.unknownPolicy, "no policy to simulate") }
        var seen = Set<Sweep.Parameter>()
        for s in sweeps where !seen.insert(s.parameter).inserted {
            throw SimulationError(.invalidParameter, "--sweep \(s.parameter.rawValue) is given twice")
        }
        self.parameters = parameters
        self.policies = policies
        self.sweeps = sweeps
    }

    /// Forecast steps every boundary carries: what the predictive policy, the sizer and the trigger read.
    package func horizon(interval: Double) -> Int {
        max(PredictiveBufferPolicy.horizon(parameters: parameters, interval: interval),
            ShadowPolicy.horizon(parameters: parameters, interval: interval))
    }

    /// Why `trace` cannot be simulated as configured, or nil.
    package func problem(with trace: GroupTrace) -> String? {
        let window = trace.trainingIntervals(parameters.trainingWindow)
        if trace.count <= window {
            return "\(trace.group): \(trace.count) interval\(trace.count == 1 ? "" : "s") of \(DurationText.describe(trace.interval)); "
                + "the training window (\(DurationText.describe(parameters.trainingWindow)) = \(window) intervals) leaves none to simulate "
                + "(shorten --training-window)"
        }
        if parameters.detectionDelay >= trace.interval {
            return "\(trace.group): --detection-delay (\(DurationText.describe(parameters.detectionDelay))) must be shorter than "
                + "the trace's interval (\(DurationText.describe(trace.interval)))"
        }
        if parameters.triggerDetection >= trace.interval {
            return "\(trace.group): --trigger-detection (\(DurationText.describe(parameters.triggerDetection))) must be shorter than "
                + "the trace's interval (\(DurationText.describe(trace.interval)))"
        }
        return nil
    }

    /// Simulates one group; `keepSeries` keeps demand and capacity per interval (for plots),
    /// `logActions` every fleet action (for tests). `forecasts` replaces the walk-forward
    /// forecasts (an oracle for what-if runs and tests); its start must be the first simulated interval.
    /// `jobs` threads share the policy runs (the defaults and every sweep point) once the forecasts are made.
    package func run(_ trace: GroupTrace, keepSeries: Bool = false, logActions: Bool = false,
                    forecasts: ForecastStream? = nil, jobs: Int = 1) throws(SimulationError) -> GroupResult {
        if let problem = problem(with: trace) { throw SimulationError(.invalidTrace, problem) }
        let start = trace.trainingIntervals(parameters.trainingWindow)
        let usesForecasts = policies.contains { $0 != .reactive }
        if let forecasts, forecasts.start != start {
            throw SimulationError(.invalidParameter, "the given forecasts start at interval \(forecasts.start), the simulation at \(start)")
        }
        let stream = forecasts ?? (usesForecasts
            ? WalkForwardForecaster(parameters: parameters, horizon: horizon(interval: trace.interval)).stream(for: trace, start: start)
            : ForecastStream(start: start, count: trace.count - start))
        let clockStart = trace.grid.axis == .time ? trace.grid.position(at: start) : Int64((Double(start) * trace.interval).rounded())
        let options = PolicyRun.Options(logActions: logActions, keepSeries: keepSeries)

        @Sendable func outcome(_ kind: PolicyKind, sweep: (Sweep.Parameter, Double)? = nil,
                     options: PolicyRun.Options) throws(SimulationError) -> PolicyOutcome {
            let tau = sweep?.0 == .tau ? sweep?.1 : nil
            let buffer = sweep?.0 == .buffer ? sweep?.1 : nil
            switch kind {
            case .reactive:
                var own = parameters
                if sweep?.0 == .target, let value = sweep?.1 { own.targetUtilisation = value }
                var policy = ReactivePolicy(parameters: own)
                return PolicyRun.run(&policy, kind: kind, trace: trace, stream: stream, parameters: own,
                                     start: start, clockStart: clockStart, options: options)
            case .predictiveBuffer:
                var policy = PredictiveBufferPolicy(parameters: parameters, interval: trace.interval,
                                                    buffer: buffer ?? parameters.buffer)
                return PolicyRun.run(&policy, kind: kind, trace: trace, stream: stream, parameters: parameters,
                                     start: start, clockStart: clockStart, options: options)
            case .shadow:
                var policy = try ShadowPolicy(parameters: parameters, group: trace.group, interval: trace.interval,
                                              tau: tau ?? parameters.effectiveTau, clockStart: clockStart)
                return PolicyRun.run(&policy, kind: kind, trace: trace, stream: stream, parameters: parameters,
                                     start: start, clockStart: clockStart, options: options)
            }
        }

        // Every policy run of the group, independent once the forecasts exist: the defaults first,
        // then each sweep's points; run on `jobs` threads, results kept in this order.
        var planned: [(kind: PolicyKind, sweep: (Sweep.Parameter, Double)?, options: PolicyRun.Options)] =
            policies.map { ($0, nil, options) }
        for sweep in sweeps where policies.contains(sweep.parameter.policy) {
            planned += sweep.values.map { (sweep.parameter.policy, (sweep.parameter, $0), PolicyRun.Options()) }
        }
        let runs = planned
        let done = parallelMap(runs, jobs: max(1, min(jobs, runs.count))) { run -> Result<PolicyOutcome, SimulationError> in
            do throws(SimulationError) {
                return .success(try outcome(run.kind, sweep: run.sweep, options: run.options))
            } catch {
                return .failure(error)
            }
        }
        var results: [PolicyOutcome] = []
        for r in done {
            switch r {
            case .success(let o): results.append(o)
            case .failure(let e): throw e
            }
        }
        let outcomes = Array(results.prefix(policies.count))
        var swept: [[PolicyOutcome]] = []
        var offset = policies.count
        for sweep in sweeps {
            let n = policies.contains(sweep.parameter.policy) ? sweep.values.count : 0
            swept.append(Array(results[offset..<offset + n]))
            offset += n
        }
        let simulated = trace.demand[start...]
        return GroupResult(group: trace.group, intervals: trace.count, start: start, interval: trace.interval,
                           missingIntervals: simulated.reduce(0) { $0 + ($1.isNaN ? 1 : 0) },
                           forecastModels: stream.models, season: stream.season, fits: stream.fits, failedFits: stream.failedFits,
                           calibrations: stream.calibrations, missingForecasts: usesForecasts ? stream.missing : 0,
                           diagnostics: stream.diagnostics, outcomes: outcomes, sweeps: swept,
                           demand: keepSeries ? Array(simulated) : nil)
    }

    /// Simulates every group on `jobs` threads; groups that cannot be simulated are skipped with
    /// the reason in `skipped`. `plotGroups` groups keep their series for the HTML page.
    /// `progress` is called (from worker threads) with groups done and total.
    package func run(_ traces: [GroupTrace], jobs: Int, plotGroups: Int = 4,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws(SimulationError) -> SimulationReport {
        let workers = max(1, min(jobs, traces.count))
        // Group-level parallelism: LAPACK calls of the ARIMA fits run on one thread each.
        if workers > 1 { setBLASThreadCount(1) }
        let indexed = Array(traces.enumerated())
        let results = parallelMap(indexed, jobs: workers, { i, trace -> Result<GroupResult, SimulationError> in
            do throws(SimulationError) {
                // Fewer groups than threads: the spare threads run the group's sweep points.
                return .success(try run(trace, keepSeries: i < plotGroups, jobs: max(1, jobs / workers)))
            } catch {
                return .failure(error)
            }
        }, completed: { _, done in progress?(done, traces.count) })
        var groups: [GroupResult] = []
        var skipped: [String] = []
        for r in results {
            switch r {
            case .success(let g): groups.append(g)
            case .failure(let e): skipped.append(e.message)
            }
        }
        guard !groups.isEmpty else {
            throw SimulationError(.noGroups, "no group could be simulated: " + skipped.prefix(3).joined(separator: "; ")
                                  + (skipped.count > 3 ? "; … (\(skipped.count) groups)" : ""))
        }
        return SimulationReport(parameters: parameters, policies: policies, sweeps: sweeps, groups: groups, skipped: skipped)
    }
}
