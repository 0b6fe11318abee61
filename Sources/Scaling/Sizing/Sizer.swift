import Calibration
import TimeSeries

/// What the sizer needs to know about one group this interval.
public struct SizingInput: Sendable {
    public var group: String
    /// The group's demand forecast (calibrated); nil when scoring failed (the pool is then held).
    public var forecast: ForecastDistribution?
    /// Capacity units serving now, and the capacity units one shadow adds.
    public var running: Double
    public var unit: Double
    /// Shadows that exist now.
    public var currentPool: Int
    /// Where `running` came from (configured, measured by the collector…), for `explain`.
    package var runningSource: RunningSource?
    /// The memory side (a group with a memory model); nil: CPU alone sizes the pool, as before.
    public var memory: MemoryInput? = nil

    public init(group: String, forecast: ForecastDistribution?, running: Double, unit: Double, currentPool: Int,
                runningSource: RunningSource? = nil) {
        self.group = group
        self.forecast = forecast
        self.running = running
        self.unit = unit
        self.currentPool = currentPool
        self.runningSource = runningSource
    }
}

/// The configuration of the sizing steps (docs/actuator.md, "Sizing").
public struct SizingPolicy: Sendable, Hashable, Codable {
    public var costs: CostModel
    /// Seconds from asking for a shadow to it being ready to activate: the demand window sized for.
    package var leadTime: Int64
    public var hysteresis: HysteresisPolicy
    /// The most shadows all groups may hold together; nil = unlimited.
    public var budget: Int?
    /// Bounds of groups without their own entry in `bounds`.
    public var defaultBounds: GroupBounds
    public var bounds: [String: GroupBounds]
    /// γ of each group's adaptive conformal inference.
    package var learningRate: Double
    /// How the lead window's demand is read: its maximum's quantile (default) or the largest step's.
    package var leadWindow: LeadWindow = .maximum

    public init(costs: CostModel, leadTime: Int64 = 60, hysteresis: HysteresisPolicy? = nil, budget: Int? = nil,
                defaultBounds: GroupBounds? = nil, bounds: [String: GroupBounds] = [:],
                learningRate: Double = 0.005, leadWindow: LeadWindow = .maximum) throws(SizingError) {
        guard leadTime >= 0 else { throw SizingError(.invalidPolicy, "the lead time must be ≥ 0 s, got \(leadTime)") }
        if let budget, budget < 0 { throw SizingError(.invalidPolicy, "the budget must be ≥ 0, got \(budget)") }
        let tau = costs.criticalRatio
        guard tau > 0 && tau < 1 else {
            throw SizingError(.invalidCost, "c_miss / (c_miss + c_reserve) must lie strictly inside (0, 1), got \(tau)")
        }
        guard learningRate > 0 && learningRate <= 1 else {
            throw SizingError(.invalidPolicy, "the learning rate must lie in (0, 1], got \(learningRate)")
        }
        self.costs = costs
        self.leadTime = leadTime
        if let hysteresis { self.hysteresis = hysteresis } else { self.hysteresis = try HysteresisPolicy() }
        self.budget = budget
        if let defaultBounds { self.defaultBounds = defaultBounds } else {
            self.defaultBounds = try GroupBounds(minimum: 0, maximum: 10)
        }
        self.bounds = bounds
        self.learningRate = learningRate
        self.leadWindow = leadWindow
    }

    /// The bounds that apply to `group`.
    public func bounds(for group: String) -> GroupBounds { bounds[group] ?? defaultBounds }
}

/// What the sizer remembers about a group between intervals (Codable, to survive restarts).
public struct GroupSizingState: Sendable, Hashable, Codable {
    package var aci: AdaptiveConformal
    package var hysteresis: HysteresisState
    /// What the last decision sized at, to score it once the demand is seen.
    package var lastSized: SizingQuantile?

    public init(aci: AdaptiveConformal, hysteresis: HysteresisState = HysteresisState(), lastSized: SizingQuantile? = nil) {
        self.aci = aci
        self.hysteresis = hysteresis
        self.lastSized = lastSized
    }
}

/// The decisions of one cycle and anything it had to work around.
public struct SizingCycle: Sendable {
    public var decisions: [SizingDecision]
    /// Inputs that were skipped or repaired (duplicate groups, a NaN free capacity).
    public var diagnostics: [String]
}

/// Sizes every group's shadow pool, one cycle per interval: target → quantile → shortfall →
/// bounds → hysteresis per group, then budget and host capacity across groups.
public struct Sizer: Sendable {
    public var policy: SizingPolicy
    let clock: any WallClock
    package private(set) var states: [String: GroupSizingState] = [:]
    private let initialACI: AdaptiveConformal

    public init(policy: SizingPolicy, clock: any WallClock, states: [String: GroupSizingState] = [:]) throws(SizingError) {
        self.policy = policy
        self.clock = clock
        self.states = states
        do {
            initialACI = try AdaptiveConformal(targetLevel: policy.costs.criticalRatio, learningRate: policy.learningRate)
        } catch {
            throw SizingError(.invalidPolicy, "cannot start adaptive conformal inference: \(error)")
        }
    }

    /// The state a group starts with, or has.
    public func state(of group: String) -> GroupSizingState {
        states[group] ?? GroupSizingState(aci: initialACI, hysteresis: HysteresisState(), lastSized: nil)
    }

    /// Replaces `group`'s state with one learned elsewhere (the last holder's, when an actuator
    /// takes the group over).
    public mutating func restore(_ state: GroupSizingState, of group: String) {
        states[group] = state
    }

    /// Records the demand seen over the interval last sized for `group`; returns whether it was a
    /// miss (nil when there was no usable sizing to score, it was already scored, or `actual` is NaN).
    @discardableResult
    public mutating func recordDemand(group: String, actual: Double) -> Bool? {
        var s = state(of: group)
        guard let sized = s.lastSized, let miss = s.aci.update(actual: actual, sizedAt: sized) else { return nil }
        // One outcome per decision: a second report for the same interval must not count twice.
        s.lastSized = nil
        states[group] = s
        return miss
    }

    /// Decides every group's pool size now; `freeCapacity` is the capacity units the hosts can still reserve.
    public mutating func decide(_ inputs: [SizingInput], freeCapacity: Double) -> SizingCycle {
        let now = clock.now()
        var diagnostics: [String] = []
        if freeCapacity.isNaN { diagnostics.append("free host capacity is NaN: no new shadow is placed") }
        var seen = Set<String>()
        seen.reserveCapacity(inputs.count)
        var partial: [SizingDecision] = []
        var requests: [AllocationRequest] = []
        partial.reserveCapacity(inputs.count)
        requests.reserveCapacity(inputs.count)
        for input in inputs {
            guard seen.insert(input.group).inserted else {
                diagnostics.append("group \(input.group) appears more than once: only its first input is sized")
                continue
            }
            let (decision, request) = sizeGroup(input, now: now)
            partial.append(decision)
            requests.append(request)
        }
        let clips = BudgetAllocator.allocate(requests, budget: policy.budget, freeCapacity: freeCapacity,
                                             costs: policy.costs)
        for i in partial.indices {
            partial[i].budget = clips[i].budget
            partial[i].capacity = clips[i].capacity
            partial[i].final = clips[i].capacity.after
        }
        return SizingCycle(decisions: partial, diagnostics: diagnostics)
    }

    /// The per-group steps; budget and capacity are filled in by `decide`.
    private mutating func sizeGroup(_ input: SizingInput, now: Int64) -> (SizingDecision, AllocationRequest) {
        var s = state(of: input.group)
        let bounds = policy.bounds(for: input.group)
        let current = max(input.currentPool, 0)
        let target = NewsvendorTarget(costs: policy.costs, aci: s.aci)
        let quantile: DemandQuantile
        if let forecast = input.forecast {
            quantile = DemandQuantile(forecast: forecast, aci: s.aci, leadTime: policy.leadTime, window: policy.leadWindow)
        } else {
            quantile = DemandQuantile(unavailableAt: s.aci.level, leadTime: policy.leadTime)
        }
        var shortfall: Shortfall?
        var memory: MemorySizing?
        var raw: Int
        var diagnostic: String?
        switch quantile.kind {
        case .finite:
            if let sf = Shortfall(quantile: quantile.value ?? .nan, running: input.running, unit: input.unit) {
                shortfall = sf
                raw = sf.shadows
                // The binding resource: shadows needed = max over CPU and memory.
                if let m = input.memory {
                    let sized = MemorySizing(m, aci: s.aci, leadTime: policy.leadTime, cpuShadows: sf.shadows,
                                             window: policy.leadWindow)
                    memory = sized
                    raw = max(raw, sized.shadows)
                }
            } else {
                raw = current
                diagnostic = "running capacity \(input.running) or unit \(input.unit) unusable: pool held at \(current)"
            }
        case .unboundedAbove:
            raw = bounds.maximum
            diagnostic = "the adapted level is ≥ 1: sized at the group maximum \(bounds.maximum)"
        case .unboundedBelow:
            raw = 0
            diagnostic = "the adapted level is ≤ 0: no reserve asked for"
        case .unavailable:
            raw = current
            diagnostic = input.forecast == nil ? "no forecast for the group: pool held at \(current)"
                : "the forecast gives no finite quantile in the lead window: pool held at \(current)"
        }
        let afterBounds = bounds.clip(raw)
        let hysteresis = HysteresisStep(target: afterBounds, current: current, now: now,
                                        policy: policy.hysteresis, state: &s.hysteresis)
        s.lastSized = quantile.sizedAt
        states[input.group] = s
        let decision = SizingDecision(
            group: input.group, time: now, target: target, quantile: quantile, running: input.running,
            unit: input.unit, currentPool: current, shortfall: shortfall, rawTarget: raw, diagnostic: diagnostic,
            bounds: bounds, afterBounds: afterBounds, hysteresis: hysteresis,
            budget: BudgetStep(budget: nil, requestedTotal: 0, before: 0, after: 0),
            capacity: CapacityStep(free: 0, neededTotal: 0, before: 0, after: 0), final: hysteresis.result,
            runningSource: input.runningSource, memory: memory)
        let request = AllocationRequest(group: input.group, desired: hysteresis.result, current: current,
                                        unit: input.unit, running: input.running,
                                        forecast: quantile.kind == .unavailable ? nil : input.forecast,
                                        step: quantile.step ?? 1)
        return (decision, request)
    }
}

extension DemandQuantile {
    /// No forecast at all.
    init(unavailableAt level: Double, leadTime: Int64) {
        kind = .unavailable
        self.level = level
        self.leadTime = leadTime
        windowSteps = 0
        extrapolated = false
    }
}
