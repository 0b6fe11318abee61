import Foundation
import MetricStore
import Scaling

/// The end-of-replay summary (`psm-actuator --replay … --json OUT`); keys are snake_case.
package struct ReplaySummary: Sendable, Codable {
    package var intervals: Int
    package var groups: Int
    package var shadowsCreated: Int
    package var activations: Int
    package var activationFailures: Int
    package var activationLatencyP50Ms: Double?
    package var activationLatencyP99Ms: Double?
    /// Demand above serving capacity, integrated over time (capacity units × minutes).
    package var unservedUnitMinutes: Double
    /// Intervals in which some demand went unserved.
    package var violationIntervals: Int
    /// On-demand launches the replay assumed when no shadow was left (arriving after the launch delay).
    package var onDemandLaunches: Int
    package var decommissioned: Int
    /// vm_cost + shadow_cost + miss_cost: `psm simulate`'s cost of the shadow policy, on the same
    /// accounting (docs/simulation.md, "Accounting").
    package var cost: Double
    /// The cost ledger's reserve: shadowUnitIntervals × c_reserve, over the whole replay (what the
    /// cost loop weighs; it charges a booting shadow as a parked one).
    package var reserveCost: Double
    /// Unserved unit-intervals × c_miss (`unserved_cost` in `psm simulate`).
    package var missCost: Double
    /// Every running VM (regular, on demand, activated; booting included) at c_run × unit per
    /// interval (`[actuator.costs] run`; 0 when it is not set).
    package var vmCost: Double = 0
    /// Shadows booting at the VM price for the launch delay, then parked at c_reserve × unit per interval.
    package var shadowCost: Double = 0
    /// Minutes in which demand exceeded capacity (`violation_minutes` in `psm simulate`).
    package var violationMinutes: Double = 0
    /// Median and p99 of the decision part of a cycle (score + size + plan), milliseconds.
    package var decisionMsP50: Double?
    package var decisionMsP99: Double?
    package var dryRun: Bool
    package var problems: Int
    /// The first distinct problems met (at most `ReplaySummary.exampleLimit`), to say what they were.
    package var problemExamples: [String] = []
    /// Maxima the cost loop moved during the replay.
    package var costLoopChanges: Int = 0
    /// Σ over the replay's intervals of the shadows held in reserve (planned, defining, ready after
    /// the interval's cycle) × their group's unit: capacity unit-intervals, so that
    /// reserve_cost = shadow_unit_intervals × c_reserve can be checked from outside.
    package var shadowUnitIntervals: Double = 0
    package static let exampleLimit = 5

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
        case vmCost = "vm_cost"
        case shadowCost = "shadow_cost"
        case violationMinutes = "violation_minutes"
    }

    /// A human summary, one fact per line.
    package var text: String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.2f ms", $0) } ?? "–" }
        return """
        replay: \(intervals) intervals, \(groups) groups\(dryRun ? " (dry run: nothing was changed)" : "")
        shadows created:    \(shadowsCreated)
        activations:        \(activations) (\(activationFailures) failed or rolled back); latency p50 \(ms(activationLatencyP50Ms)), p99 \(ms(activationLatencyP99Ms))
        unserved demand:    \(String(format: "%.1f", unservedUnitMinutes)) unit·min in \(violationIntervals) intervals; \(onDemandLaunches) on-demand launches
        decommissioned:     \(decommissioned)
        cost:               \(String(format: "%.2f", cost)) (VMs \(String(format: "%.2f", vmCost)), shadows \(String(format: "%.2f", shadowCost)), misses \(String(format: "%.2f", missCost)))
        cost ledger:        reserve \(String(format: "%.2f", reserveCost)) for \(String(format: "%.1f", shadowUnitIntervals)) shadow unit-intervals
        decision cycle:     p50 \(ms(decisionMsP50)), p99 \(ms(decisionMsP99))
        cost loop changes:  \(costLoopChanges)
        problems:           \(problems)\(problemExamples.map { "\n  " + $0 }.joined())
        """
    }
}

/// Feeds a recorded trace through an actuator as if live, one interval at a time, and accounts
/// what the demand got with `psm simulate`'s accounting (docs/actuator.md, "Replay";
/// docs/simulation.md, "Accounting"): the same `Fleet`, `Meter` and `TargetTracking` (Scaling),
/// the same moments, the same prices.
///
/// Per interval i = [t_i, t_i + Δ) with demand d_i:
/// 1. at t_i the runtime's cycle runs on the demand it has seen (up to d_{i−1}): it scores,
///    sizes, activates ahead on the forecast and reconciles; the shadows it creates boot for the
///    launch delay (billed at the VM price) and then park (billed at c_reserve × unit per
///    interval); those it removes leave the pool; the activated VMs it retires are terminated;
/// 2. one collector interval in (`[actuator.collect] interval`, `psm simulate --trigger-detection`)
///    the runtime observes d_i and runs its live trigger (`liveTrigger`); an activated shadow
///    serves after the activation delay; what live demand needs at the trigger's threshold beyond
///    the running VMs and the shadows activated is launched on demand (cold, serving after the
///    launch delay); when nothing is needed the on-demand VMs are scaled in by target tracking
///    (cooldowns as the simulator's), never below the running capacity the group started with
///    plus the shadows the actuator holds activated; repeated each collector interval while a
///    cooldown holds a scale-in back;
/// 3. unserved demand is ∫ max(0, d − C(s)) ds over the pieces between events, exactly.
///
/// Cost = VM cost (every running VM, booting included, at c_run × unit per interval; 0 without
/// `[actuator.costs] run`) + shadow cost + unserved unit-intervals × c_miss.
package struct ReplayRunner {
    package let trace: ReplayTrace
    /// Intervals per second of wall time (0 = as fast as possible).
    package var speed: Double
    package var accounting: ReplayAccounting

    package init(trace: ReplayTrace, speed: Double = 0, accounting: ReplayAccounting = ReplayAccounting()) {
        self.trace = trace
        self.speed = speed
        self.accounting = accounting
    }

    package func run(_ runtime: ActuatorRuntime, clock: ManualWallClock,
                    progress: ((Int, CycleReport) -> Void)? = nil) async -> ReplaySummary {
        let config = runtime.configuration
        let interval = Double(config.interval)
        let threshold = config.trigger.utilisationThreshold
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
        var books: [String: ReplayGroupBook] = [:]
        let activeAtStart = Dictionary(grouping: (try? runtime.store.shadows(states: [.activating, .active])) ?? [], by: \.group)
        for group in trace.groups {
            guard let g = config.group(group) else { continue }
            books[group] = ReplayGroupBook(unit: Double(g.template.units), running: await runtime.runningCapacity(group),
                                           active: activeAtStart[group]?.count ?? 0, threshold: threshold,
                                           launchDelay: config.sizing.costs.launchDelay, accounting: accounting)
        }
        let names = books.keys.sorted()
        let origin = trace.steps.first?.time ?? 0
        let detection = Double(config.collect.interval)
        // The live trigger's moments within an interval (the simulator's `liveOffsets`).
        var offsets: [Double] = []
        var o = detection
        while o < interval - 1e-9, offsets.count < 10_000 { offsets.append(o); o += detection }
        func record(_ report: CycleReport) {
            summary.problems += report.problems.count
            for p in report.problems where summary.problemExamples.count < ReplaySummary.exampleLimit
                && !summary.problemExamples.contains(p) {
                summary.problemExamples.append(p)
            }
            for a in report.activations {
                if a.outcome == .succeeded {
                    summary.activations += 1
                    if let total = a.stepLatencies["total"] { latencies.append(total * 1000) }
                } else {
                    summary.activationFailures += 1
                }
            }
        }
        func succeeded(_ report: CycleReport) -> [String: Int] {
            var n: [String: Int] = [:]
            for a in report.activations where a.outcome == .succeeded { n[a.group, default: 0] += 1 }
            return n
        }
        /// The runtime counts as running what the books hold: the group's own capacity, the
        /// activated shadows and the on-demand VMs on their way or serving.
        func syncRunning() async {
            for name in names { await runtime.setExtraRunning(group: name, units: books[name]!.onDemandUnits) }
        }
        var end = 0.0
        for (index, step) in trace.steps.enumerated() {
            let t = Double(step.time - origin)
            let behind = step.time - clock.now()
            if behind > 0 { clock.advance(by: behind) }
            for name in names {
                // A gap in the trace is no demand (nothing unserved), as a missing value.
                books[name]!.advance(to: t, demand: .nan)
                books[name]!.observe(step.demand[name] ?? .nan, at: t)
            }
            await syncRunning()
            let report = await runtime.cycle()
            summary.intervals += 1
            summary.shadowsCreated += report.reconcile.created.count
            summary.decommissioned += report.reconcile.removed.count + report.retired.count
            summary.costLoopChanges += report.notes.count
            record(report)
            decisions.append(report.decisionSeconds * 1000)
            let ahead = succeeded(report)
            // The store says what the cycle left: each group's pool (planned, defining, ready)
            // and its activated shadows; the books follow (retired VMs terminated, the pool grown
            // by booting shadows or shrunk, booting ones first).
            let held = (try? runtime.store.shadows(states: [.planned, .defining, .ready, .activating, .active])) ?? []
            var pools: [String: Int] = [:], active: [String: Int] = [:]
            for shadow in held {
                if shadow.state == .activating || shadow.state == .active { active[shadow.group, default: 0] += 1 } else {
                    pools[shadow.group, default: 0] += 1
                }
            }
            for name in names {
                books[name]!.activated(ahead[name] ?? 0)
                let retired = books[name]!.activeShadows - (active[name] ?? 0)
                if retired > 0 {
                    books[name]!.fleet.terminate(retired)
                    books[name]!.activeShadows -= retired
                }
                let pool = pools[name] ?? 0, mirrored = books[name]!.fleet.pool
                if pool > mirrored { books[name]!.fleet.provision(pool - mirrored) } else { books[name]!.fleet.removeShadows(mirrored - pool) }
            }
            // Live: the interval's demand is seen one collection in, and every collection after
            // while a cooldown holds a scale-in back.
            var watching = Set(names.filter { (step.demand[$0] ?? .nan).isFinite })
            var observed = false
            for offset in offsets where !watching.isEmpty {
                for name in names { books[name]!.advance(to: t + offset, demand: step.demand[name] ?? .nan) }
                let now = step.time + Int64(offset.rounded())
                if now > clock.now() { clock.advance(by: now - clock.now()) }
                if !observed {
                    for (group, value) in step.demand { await runtime.observe(group: group, demand: value, at: step.time) }
                    observed = true
                }
                await syncRunning()
                let before = Dictionary(uniqueKeysWithValues: names.map { ($0, books[$0]!.fleet.committed) })
                let live = await runtime.liveTrigger()
                record(live)
                let activated = succeeded(live)
                for name in watching.sorted() {
                    books[name]!.activated(activated[name] ?? 0)
                    let held = books[name]!.live(demand: step.demand[name]!, committedBefore: before[name]!,
                                                 activated: activated[name] ?? 0, threshold: threshold)
                    if !held { watching.remove(name) }
                }
            }
            if !observed {
                for (group, value) in step.demand { await runtime.observe(group: group, demand: value, at: step.time) }
            }
            end = t + interval
            var violated = false
            for name in names {
                let before = books[name]!.meter.unservedUnitSeconds
                books[name]!.advance(to: end, demand: step.demand[name] ?? .nan)
                if books[name]!.meter.unservedUnitSeconds > before { violated = true }
            }
            if violated { summary.violationIntervals += 1 }
            progress?(index, report)
            if speed > 0 { try? await Task.sleep(for: .milliseconds(Int(1000 / speed))) }
        }
        let costs = config.sizing.costs
        var unservedUnitSeconds = 0.0
        for name in names {
            books[name]!.meter.finish(at: end)
            let b = books[name]!
            let vmPrice = (config.runCost ?? 0) * b.unit, shadowPrice = costs.reserveCost * b.unit
            unservedUnitSeconds += b.meter.unservedUnitSeconds
            summary.violationMinutes += b.meter.violationSeconds / 60
            summary.onDemandLaunches += b.fleet.launches
            summary.vmCost += vmPrice * b.fleet.vmSeconds / interval
            summary.shadowCost += (vmPrice * b.fleet.shadowBootSeconds + shadowPrice * b.fleet.shadowParkedSeconds) / interval
        }
        summary.unservedUnitMinutes = unservedUnitSeconds / 60
        summary.shadowUnitIntervals = await runtime.costTotals().reduce(0) { $0 + $1.shadowUnitIntervals } - heldBefore
        summary.reserveCost = summary.shadowUnitIntervals * costs.reserveCost
        summary.missCost = costs.missCost * unservedUnitSeconds / interval
        summary.cost = summary.vmCost + summary.shadowCost + summary.missCost
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
