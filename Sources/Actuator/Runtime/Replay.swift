import Foundation
import MetricStore
import Scaling

/// The end-of-replay summary (`psm-actuator --replay … --json OUT`); keys are snake_case.
public struct ReplaySummary: Sendable, Codable {
    public var intervals: Int
    public var groups: Int
    public var shadowsCreated: Int
    public var activations: Int
    public var activationFailures: Int
    public var activationLatencyP50Ms: Double?
    public var activationLatencyP99Ms: Double?
    /// Demand above serving capacity, integrated over time (capacity units × minutes).
    public var unservedUnitMinutes: Double
    /// Intervals in which some demand went unserved.
    public var violationIntervals: Int
    /// On-demand launches the replay assumed when no shadow was left (arriving after the launch delay).
    public var onDemandLaunches: Int
    public var decommissioned: Int
    /// Shadow reserve cost + unserved demand × c_miss (per unit-interval): the cost model's total.
    public var cost: Double
    /// shadowUnitIntervals × c_reserve, over the whole replay.
    public var reserveCost: Double
    public var missCost: Double
    /// Median and p99 of the decision part of a cycle (score + size + plan), milliseconds.
    public var decisionMsP50: Double?
    public var decisionMsP99: Double?
    public var dryRun: Bool
    public var problems: Int
    /// The first distinct problems met (at most `ReplaySummary.exampleLimit`), to say what they were.
    public var problemExamples: [String] = []
    /// Maxima the cost loop moved during the replay.
    public var costLoopChanges: Int = 0
    /// Σ over the replay's intervals of the shadows held in reserve (planned, defining, ready after
    /// the interval's cycle) × their group's unit: capacity unit-intervals, so that
    /// reserve_cost = shadow_unit_intervals × c_reserve can be checked from outside.
    public var shadowUnitIntervals: Double = 0
    public static let exampleLimit = 5

    enum CodingKeys: String, CodingKey {
        case intervals, groups, activations, cost, problems
        case shadowsCreated = "shadows_created"
        case activationFailures = "activation_failures"
        case activationLatencyP50Ms = "activation_latency_p50_ms"
        case activationLatencyP99Ms = "activation_latency_p99_ms"
        case unservedUnitMinutes = "unserved_unit_minutes"
        case violationIntervals = "violation_intervals"
        case onDemandLaunches = "on_demand_launches"
        case decommissioned
        case reserveCost = "reserve_cost"
        case missCost = "miss_cost"
        case decisionMsP50 = "decision_ms_p50"
        case decisionMsP99 = "decision_ms_p99"
        case dryRun = "dry_run"
        case problemExamples = "problem_examples"
        case costLoopChanges = "cost_loop_changes"
        case shadowUnitIntervals = "shadow_unit_intervals"
    }

    /// A human summary, one fact per line.
    public var text: String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.2f ms", $0) } ?? "–" }
        return """
        replay: \(intervals) intervals, \(groups) groups\(dryRun ? " (dry run: nothing was changed)" : "")
        shadows created:    \(shadowsCreated)
        activations:        \(activations) (\(activationFailures) failed or rolled back); latency p50 \(ms(activationLatencyP50Ms)), p99 \(ms(activationLatencyP99Ms))
        unserved demand:    \(String(format: "%.1f", unservedUnitMinutes)) unit·min in \(violationIntervals) intervals; \(onDemandLaunches) on-demand launches
        decommissioned:     \(decommissioned)
        cost:               \(String(format: "%.2f", cost)) (reserve \(String(format: "%.2f", reserveCost)) for \(String(format: "%.1f", shadowUnitIntervals)) shadow unit-intervals, misses \(String(format: "%.2f", missCost)))
        decision cycle:     p50 \(ms(decisionMsP50)), p99 \(ms(decisionMsP99))
        cost loop changes:  \(costLoopChanges)
        problems:           \(problems)\(problemExamples.map { "\n  " + $0 }.joined())
        """
    }
}

/// Feeds a recorded trace through an actuator as if live, one interval at a time, and accounts
/// what the demand got (docs/actuator.md, "Replay").
///
/// Accounting per interval [t, t + I): the demand d arrives at t; the cycle at t may activate
/// shadows (they serve from t: activation takes milliseconds against minutes of interval). If d
/// still exceeds the serving capacity C, on-demand VMs are launched for the excess (⌈excess /
/// unit⌉, as a regular autoscaler would) and serve from t + launch delay. Unserved demand is
/// ∫ max(0, d − C(s)) ds over the interval, in unit·minutes. On-demand VMs are released once the
/// demand fits within the trigger threshold without them (the same rule as scale-in).
public struct ReplayRunner {
    public let trace: ReplayTrace
    /// Intervals per second of wall time (0 = as fast as possible).
    public var speed: Double

    public init(trace: ReplayTrace, speed: Double = 0) {
        self.trace = trace
        self.speed = speed
    }

    public func run(_ runtime: ActuatorRuntime, clock: ManualWallClock,
                    progress: ((Int, CycleReport) -> Void)? = nil) async -> ReplaySummary {
        let config = runtime.configuration
        let interval = Double(config.interval)
        let launchDelay = config.sizing.costs.launchDelay
        let threshold = config.trigger.utilisationThreshold
        var onDemand: [String: [(arrival: Double, units: Double)]] = [:]
        var summary = ReplaySummary(intervals: 0, groups: trace.groups.count, shadowsCreated: 0, activations: 0,
                                    activationFailures: 0, unservedUnitMinutes: 0, violationIntervals: 0, onDemandLaunches: 0,
                                    decommissioned: 0, cost: 0, reserveCost: 0, missCost: 0, dryRun: runtime.dryRun, problems: 0)
        // A host left out at start makes every figure below about a smaller fleet: a problem.
        for (host, problem) in await runtime.hostProblems.sorted(by: { $0.key < $1.key }) {
            summary.problems += 1
            if summary.problemExamples.count < ReplaySummary.exampleLimit { summary.problemExamples.append("host \(host): \(problem)") }
        }
        var latencies: [Double] = []
        var decisions: [Double] = []
        // The runtime's reserve totals are never reset (unlike the cost loop's window): the
        // replay's share is what they grew by.
        let heldBefore = await runtime.costTotals().reduce(0) { $0 + $1.shadowUnitIntervals }
        var unservedIntervals = 0.0
        for (index, step) in trace.steps.enumerated() {
            let behind = step.time - clock.now()
            if behind > 0 { clock.advance(by: behind) }
            for (group, value) in step.demand { await runtime.observe(group: group, demand: value, at: step.time) }
            // On-demand VMs that have arrived count as regular capacity.
            for (group, launches) in onDemand {
                let arrived = launches.filter { $0.arrival <= Double(step.time) }.reduce(0) { $0 + $1.units }
                await runtime.setExtraRunning(group: group, units: arrived)
            }
            let report = await runtime.cycle()
            summary.intervals += 1
            summary.shadowsCreated += report.reconcile.created.count
            summary.decommissioned += report.reconcile.removed.count + report.retired.count
            summary.problems += report.problems.count
            summary.costLoopChanges += report.notes.count
            for p in report.problems where summary.problemExamples.count < ReplaySummary.exampleLimit
                && !summary.problemExamples.contains(p) {
                summary.problemExamples.append(p)
            }
            decisions.append(report.decisionSeconds * 1000)
            for a in report.activations {
                if a.outcome == .succeeded {
                    summary.activations += 1
                    if let total = a.stepLatencies["total"] { latencies.append(total * 1000) }
                } else {
                    summary.activationFailures += 1
                }
            }
            var violated = false
            for group in trace.groups {
                guard let d = step.demand[group], d.isFinite, let g = config.group(group) else { continue }
                let unit = Double(g.template.units)
                let pending = onDemand[group] ?? []
                let arrivedUnits = pending.filter { $0.arrival <= Double(step.time) }.reduce(0) { $0 + $1.units }
                let base = await runtime.runningCapacity(group) - (await runtime.extraRunning[group] ?? 0) + arrivedUnits
                var launches = pending
                let inFlight = pending.filter { $0.arrival > Double(step.time) }.reduce(0) { $0 + $1.units }
                let excess = d - base - inFlight
                if excess > 1e-9 {
                    let count = (excess / unit).rounded(.up)
                    launches.append((Double(step.time) + launchDelay, count * unit))
                    summary.onDemandLaunches += Int(count)
                }
                // Unserved: capacity steps up as launches arrive within the interval.
                var t = Double(step.time)
                var capacity = base
                var unserved = 0.0
                for l in launches.filter({ $0.arrival > t && $0.arrival < t + interval }).sorted(by: { $0.arrival < $1.arrival }) {
                    unserved += max(0, d - capacity) * (l.arrival - t)
                    capacity += l.units
                    t = l.arrival
                }
                unserved += max(0, d - capacity) * (Double(step.time) + interval - t)
                if unserved > 0 { violated = true }
                summary.unservedUnitMinutes += unserved / 60
                unservedIntervals += unserved / interval
                // Release arrived on-demand VMs the demand no longer needs (one unit at a time).
                var kept = launches
                var total = base
                while let i = kept.firstIndex(where: { $0.arrival <= Double(step.time) }),
                      d <= threshold * (total - kept[i].units) {
                    total -= kept[i].units
                    kept.remove(at: i)
                }
                onDemand[group] = kept
            }
            if violated { summary.violationIntervals += 1 }
            progress?(index, report)
            if speed > 0 { try? await Task.sleep(for: .milliseconds(Int(1000 / speed))) }
        }
        summary.shadowUnitIntervals = await runtime.costTotals().reduce(0) { $0 + $1.shadowUnitIntervals } - heldBefore
        summary.reserveCost = summary.shadowUnitIntervals * config.sizing.costs.reserveCost
        summary.missCost = unservedIntervals * config.sizing.costs.missCost
        summary.cost = summary.reserveCost + summary.missCost
        summary.activationLatencyP50Ms = Self.percentile(latencies, 0.5)
        summary.activationLatencyP99Ms = Self.percentile(latencies, 0.99)
        summary.decisionMsP50 = Self.percentile(decisions, 0.5)
        summary.decisionMsP99 = Self.percentile(decisions, 0.99)
        return summary
    }

    /// The nearest-rank percentile; nil for no values.
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
