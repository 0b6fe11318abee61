import Actuator
import Foundation
import MetricStore
import ModelRegistry
import Scaling
import TimeSeries

/// The decision part of `ActuatorRuntime.cycle()` for every group, phase by phase, through the
/// same public calls in the same order: scoring (`ModelCatalog.record` + `forecast`, calibrated,
/// notices applied), trigger evaluation, sizing (`Sizer.recordDemand` + `decide`) and planning
/// (`ReconcilePlan` against the pools). The registry check (`ModelCatalog.refresh`) is timed on
/// its own. The store reads and writes around the decision are timed by `StoreBench`.
struct DecisionBench {
    /// Seconds per phase, wall-clock and this thread's CPU time (the CPU time leaves out the
    /// time other processes of the shared machine held the core).
    struct Phases {
        var refresh = Lap(), scoring = Lap(), triggers = Lap(), sizing = Lap(), planning = Lap()
        var decision: Lap {
            Lap(wall: scoring.wall + triggers.wall + sizing.wall + planning.wall,
                cpu: scoring.cpu + triggers.cpu + sizing.cpu + planning.cpu)
        }
    }

    struct Lap {
        var wall = 0.0, cpu = 0.0
    }

    /// CPU time of the calling thread.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU time of the whole process (work GRDB or libvirt may do on other threads included).
    static func processCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` and returns its wall-clock and CPU seconds (this thread's, or the process's).
    static func lap(process: Bool = false, _ body: () throws -> Void) rethrows -> Lap {
        let cpu = process ? processCPU : threadCPU
        let c0 = cpu(), w0 = ContinuousClock.now
        try body()
        let w = ContinuousClock.now - w0, c = cpu() - c0
        return Lap(wall: seconds(w), cpu: c)
    }

    let fixture: BenchFixture
    let configuration: ActuatorConfiguration
    let catalog: ModelCatalog
    let clock: ManualWallClock
    var sizer: Sizer
    /// The shadows that exist (the pool the reconciler is assumed to have reached after each cycle).
    var shadows: [ShadowRecord] = []
    var templates: [String: ShadowTemplate]
    /// The step index of the next live point.
    var step: Int
    var lastDecisions: [SizingDecision] = []
    var lastForecasts: [ForecastDistribution?] = []
    /// The last forecast per group, as `ActuatorRuntime` keeps it (for the API).
    var kept: [String: ForecastDistribution] = [:]
    var lastTriggers: [TriggerDecision] = []
    var lastPlan: ReconcilePlan?
    var problems: [String] = []
    var shadowCounter = 0

    init(fixture: BenchFixture, configuration: ActuatorConfiguration, catalog: ModelCatalog, clock: ManualWallClock,
         startStep: Int) throws {
        self.fixture = fixture
        self.configuration = configuration
        self.catalog = catalog
        self.clock = clock
        sizer = try Sizer(policy: configuration.sizing, clock: clock)
        templates = Dictionary(uniqueKeysWithValues: configuration.groups.map { ($0.name, $0.template) })
        step = startStep
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The grid position of an observation at `time`, as `ActuatorRuntime.gridPosition` snaps it.
    func gridPosition(_ time: Int64, group: String, series: String) -> Int64 {
        let step = configuration.interval
        let origin = catalog.scorer(group: group)?.nextPosition(seriesID: series) ?? 0
        let offset = ((time - origin) % step + step) % step
        return time - offset
    }

    /// The series whose forecast is the group's demand, as `ActuatorRuntime.demandSeries` finds it.
    func demandSeries(_ group: GroupConfiguration) -> String {
        if let s = group.series { return s }
        if let ids = catalog.scorer(group: group.name)?.seriesIDs, ids.count == 1, let only = ids.first { return only }
        return group.name
    }

    /// One cycle: the clock moves one interval, every group gets one new point.
    mutating func cycle() -> Phases {
        var phases = Phases()
        let now = clock.now()
        let time = BenchFixture.origin + Int64(step) * BenchFixture.step
        phases.refresh = Self.lap { catalog.refresh() }

        var pools: [String: Int] = [:], ready: [String: Int] = [:], active: [String: Int] = [:]
        for s in shadows {
            switch s.state {
            case .planned, .defining: pools[s.group, default: 0] += 1
            case .ready: pools[s.group, default: 0] += 1; ready[s.group, default: 0] += 1
            case .activating, .active: active[s.group, default: 0] += 1
            default: break
            }
        }
        let groups = configuration.groups
        let demands = groups.indices.map { fixture.demand(group: $0, step: step) }
        var forecasts = [ForecastDistribution?](repeating: nil, count: groups.count)
        var problems: [String] = []

        phases.scoring = Self.lap {
            for (i, group) in groups.enumerated() {
                let series = demandSeries(group)
                do {
                    try catalog.record(group: group.name, seriesID: series, observations: [demands[i]],
                                       startingAt: gridPosition(time, group: group.name, series: series),
                                       step: configuration.interval)
                } catch {
                    problems.append("group \(group.name): \(error)")
                }
                do {
                    let all = try catalog.forecast(group: group.name, horizon: configuration.horizon, levels: configuration.levels)
                    guard let result = all[series] else { problems.append("group \(group.name): no series \(series)"); continue }
                    let forecast = try result.get()
                    kept[group.name] = forecast      // the runtime keeps the last forecast per group
                    forecasts[i] = forecast.applying([]).0
                } catch {
                    problems.append("group \(group.name): no forecast: \(error)")
                }
            }
        }

        var inputs: [SizingInput] = [], triggerInputs: [TriggerInput] = []
        inputs.reserveCapacity(groups.count)
        triggerInputs.reserveCapacity(groups.count)
        for (i, group) in groups.enumerated() {
            let running = group.running + Double(active[group.name] ?? 0) * Double(group.template.units)
            // Sized at the trigger's threshold, as the runtime does.
            let trigger = configuration.trigger
            inputs.append(SizingInput(group: group.name, forecast: forecasts[i], running: trigger.servable(running),
                                      unit: trigger.servable(Double(group.template.units)), currentPool: pools[group.name] ?? 0))
            triggerInputs.append(TriggerInput(group: group.name, demand: demands[i], running: running,
                                              unit: Double(group.template.units), readyShadows: ready[group.name] ?? 0,
                                              forecast: forecasts[i]))
        }

        var triggers: [TriggerDecision] = []
        phases.triggers = Self.lap {
            triggers = triggerInputs.map { ActivationTrigger.evaluate($0, policy: configuration.trigger, step: configuration.interval) }
        }

        var sizing: SizingCycle?
        phases.sizing = Self.lap {
            for (i, group) in groups.enumerated() { sizer.recordDemand(group: group.name, actual: demands[i]) }
            sizing = sizer.decide(inputs, freeCapacity: .infinity)
        }
        let decisions = sizing?.decisions ?? []

        var plan: ReconcilePlan?
        phases.planning = Self.lap {
            let desired = Dictionary(uniqueKeysWithValues: decisions.map { ($0.group, $0.final) })
            plan = ReconcilePlan(shadows: shadows, desired: desired, templates: templates)
        }

        if let plan { apply(plan, now: now) }
        lastDecisions = decisions
        lastForecasts = forecasts
        lastTriggers = triggers
        lastPlan = plan
        self.problems = problems + (sizing?.diagnostics ?? [])
        step += 1
        clock.advance(by: BenchFixture.step)
        return phases
    }

    /// What the reconciler would reach: every planned change done (outside the timed part).
    mutating func apply(_ plan: ReconcilePlan, now: Int64) {
        var removed: Set<String> = []
        var added: [ShadowRecord] = []
        for change in plan.changes {
            switch change {
            case .grow(let group, let count, let template):
                for _ in 0..<count {
                    shadowCounter += 1
                    let id = "s\(shadowCounter)"
                    let b = CapacityAmount(template.baseline, units: 0), f = CapacityAmount(template.full, units: template.units)
                    added.append(ShadowRecord(id: id, group: group, host: "h\(shadowCounter % 50)", domainName: "psm-\(group)-\(id)",
                                              state: .ready, baselineVCPUs: b.vcpus, baselineMemoryMiB: b.memoryMiB,
                                              fullVCPUs: f.vcpus, fullMemoryMiB: f.memoryMiB, reservedUnits: template.units,
                                              createdAt: now, updatedAt: now))
                }
            case .shrink(_, let surplus): removed.formUnion(surplus.map(\.id))
            case .missingTemplate: break
            }
        }
        shadows = shadows.filter { !removed.contains($0.id) } + added
    }
}
