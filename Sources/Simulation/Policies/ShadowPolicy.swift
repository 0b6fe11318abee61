import Calibration
import Scaling
import TimeSeries

/// psm: calibrated forecasts size a pool of parked shadows with the actuator's own `Sizer`; the
/// actuator's own `ActivationTrigger` activates them on live demand and ahead of a forecast
/// rise; on-demand launches cover what the pool cannot; target tracking scales in.
///
/// Once per interval, at its start (the actuator's sizing cadence):
/// 1. `Sizer.recordDemand` scores the previous decision against the demand that followed (ACI);
/// 2. `Sizer.decide` on a `ManualWallClock` set to the interval's start sizes the pool from the
///    calibrated forecast; the pool grows by booting shadows (parked after the launch delay) and
///    shrinks by removing them;
/// 3. `ActivationTrigger.evaluate` with the forecast (no live value yet) activates ready
///    shadows ahead of a rise due within the activation lead time.
///
/// A launch delay before each interval (with `aheadLaunch`), what the trigger level's forecast
/// quantile of that interval needs beyond the running VMs and the parked shadows is launched:
/// running headroom beside the pool, which then covers the tail.
///
/// When the interval's demand is visible to the live trigger — one collector interval in
/// (`--trigger-detection`, 10 s; the actuator runs its trigger after every collection) — and every
/// collector interval after while a cooldown holds:
/// `ActivationTrigger.evaluate` with the live demand activates ready shadows; what it wants beyond
/// them is launched on demand; target tracking scales in when neither live demand nor the
/// forecast asks for more.
///
/// Capacity is given to the sizer at the trigger's threshold θ (running = θ × capacity, unit =
/// θ × units per VM), so the pool covers the demand quantile the way the trigger will activate
/// for it: ⌈(q − θR) / (θu)⌉ = ⌈(q/θ − R) / u⌉ shadows.
struct ShadowPolicy: ScalingPolicy {
    var tracking: TargetTracking
    var sizer: Sizer
    let clock: ManualWallClock
    let trigger: TriggerPolicy
    let group: String
    let step: Int64
    /// How the trigger's forecast level was chosen (nil: the configured level as it is).
    private(set) var ahead: AheadLevel?
    /// Running headroom beside the pool: at t_j − S (S the launch delay, as predictive-buffer
    /// schedules), what the ahead level's quantile of interval j needs beyond the running VMs and
    /// the ready pool is launched, so that it serves from t_j (nil: off).
    let scheduleOffset: Double?
    let leadIntervals: Int
    /// The live trigger runs after every collection (`ActuatorRuntime.liveTrigger`).
    let liveTiming: (detection: Double, period: Double)?
    /// Running capacity and the unit handed to the sizer at θ (`--sizer-running`).
    let sizeAtThreshold: Bool
    private var decided = false

    /// - Parameters:
    ///   - tau: the critical ratio the sizer works at (the run's τ or a sweep point).
    ///   - interval: seconds per interval; `clockStart` the first boundary's wall-clock seconds.
    init(parameters p: SimulationParameters, group: String, interval: Double, tau: Double,
         clockStart: Int64) throws(SimulationError) {
        tracking = TargetTracking(parameters: p)
        sizeAtThreshold = p.sizeAtThreshold
        let lead = p.launchDelay > 0 ? Int((p.launchDelay / interval).rounded(.up)) : 0
        leadIntervals = lead
        liveTiming = (p.triggerDetection, p.triggerDetection)
        scheduleOffset = p.aheadLaunch && p.triggerLevel != nil ? max(0, Double(lead) * interval - p.launchDelay) : nil
        self.group = group
        step = max(1, Int64(interval.rounded()))
        clock = ManualWallClock(clockStart)
        let reserve = p.shadowCost / p.unitsPerVM
        do {
            // c_miss chosen so that c_miss / (c_miss + c_reserve) = τ.
            let costs = try CostModel(missCost: reserve * tau / (1 - tau), reserveCost: reserve,
                                      launchDelay: max(p.launchDelay, 1e-3), interval: interval)
            // Priced at the launch delay's share, a shadow is worth holding while
            // P(demand above it) × c_miss × S / Δ > c_reserve (PoolPricing.launch).
            let poolCosts = p.poolPricing == .interval ? costs
                : try CostModel(missCost: costs.missCost * min(max(p.launchDelay, 1e-3) / interval, 1), reserveCost: reserve,
                                launchDelay: costs.launchDelay, interval: interval)
            // A shadow asked for now is ready after its boot, and must last until the next
            // decision's shadows are: the sizer's window is one interval plus the boot.
            let lead = Int64((interval + p.launchDelay).rounded(.up))
            let policy = try SizingPolicy(costs: poolCosts, leadTime: lead,
                                          hysteresis: try HysteresisPolicy(cooldown: Int64(p.shadowCooldown.rounded())),
                                          defaultBounds: try GroupBounds(minimum: p.minimumShadows, maximum: p.maximumShadows),
                                          learningRate: p.aciLearningRate, leadWindow: p.leadWindow)
            sizer = try Sizer(policy: policy, clock: clock)
            // Activating ahead: at the configured level, raised to the cost level when a miss
            // waiting for the live trigger costs more than running the shadow (AheadLevel).
            var level = p.triggerLevel
            if let floor = p.triggerLevel {
                switch p.aheadRule {
                case .fixed: break
                case .cost:
                    ahead = AheadLevel(costs: costs, runCost: p.vmCost / p.unitsPerVM,
                                       wait: p.triggerDetection + p.activationDelay, floor: floor)
                    level = ahead?.level
                case .tau:
                    level = max(floor, min(tau, AheadLevel.defaultCeiling))
                }
            }
            trigger = try TriggerPolicy(utilisationThreshold: p.targetUtilisation,
                                        activationLeadTime: Int64(p.activationLeadTime.rounded()),
                                        forecastLevel: level)
        } catch {
            throw SimulationError(.invalidParameter, "shadow policy: \(error)")
        }
    }

    /// Forecast steps the sizer and the trigger read.
    static func horizon(parameters p: SimulationParameters, interval: Double) -> Int {
        let sizing = Int(((interval + p.launchDelay) / interval).rounded(.up))
        let trigger = Int((p.activationLeadTime / interval).rounded(.up))
        let launch = p.aheadLaunch ? (p.launchDelay > 0 ? Int((p.launchDelay / interval).rounded(.up)) : 0) + 1 : 1
        return max(1, sizing, trigger, launch)
    }

    private var unit: Double { tracking.rule.unit }
    private var room: Int { tracking.rule.maximumVMs }

    private func triggerInput(demand: Double, fleet: Fleet, forecast: ForecastDistribution?) -> TriggerInput {
        TriggerInput(group: group, demand: demand, running: Double(fleet.committed) * unit, unit: unit,
                     readyShadows: fleet.parked, forecast: forecast)
    }

    mutating func boundary(_ context: DecisionContext, fleet: inout Fleet) {
        let now = context.clockSeconds
        if now > clock.now() { clock.advance(by: now - clock.now()) }
        if decided { sizer.recordDemand(group: group, actual: context.lastDemand) }
        let theta = sizeAtThreshold ? tracking.rule.threshold : 1
        let input = SizingInput(group: group, forecast: context.forecast, running: theta * Double(fleet.committed) * unit,
                                unit: theta * unit, currentPool: fleet.pool)
        let sized = sizer.decide([input], freeCapacity: .infinity).decisions.first?.final ?? fleet.pool
        // Shadows beyond the VM maximum could never be activated: the pool stops there.
        let target = min(sized, max(room - fleet.committed, 0))
        decided = true
        if target > fleet.pool { fleet.provision(target - fleet.pool) } else if target < fleet.pool { fleet.removeShadows(fleet.pool - target) }

        let ahead = ActivationTrigger.evaluate(triggerInput(demand: .nan, fleet: fleet, forecast: context.forecast),
                                               policy: trigger, step: step)
        let n = fleet.activate(min(ahead.activate, room - fleet.committed))
        if n > 0 { tracking.noteScaleOut(at: fleet.now) }
    }

    /// The body at the ahead level: launched a launch delay ahead where the ready pool falls short.
    mutating func scheduled(_ context: DecisionContext, fleet: inout Fleet) {
        guard let level = trigger.forecastLevel, let f = context.forecast else { return }
        let h = leadIntervals + 1
        guard h <= f.horizon, let q = f.interpolatedQuantile(level: level, step: h)?.value, q.isFinite else { return }
        let need = ActivationTrigger.shadowsNeeded(demand: q, running: Double(fleet.committed) * unit, unit: unit,
                                                   threshold: tracking.rule.threshold)
        // Room is kept for the ready shadows: where the VM maximum binds, activating beats booting.
        let cold = min(max(need - fleet.parked, 0), max(room - fleet.committed - fleet.parked, 0))
        if cold > 0 {
            fleet.launch(cold)
            tracking.noteScaleOut(at: fleet.now)
        }
    }

    mutating func live(_ context: DecisionContext, demand: Double, fleet: inout Fleet) -> Bool {
        let decision = ActivationTrigger.evaluate(triggerInput(demand: demand, fleet: fleet, forecast: context.forecast),
                                                  policy: trigger, step: step)
        if decision.wanted > 0 {
            let free = max(room - fleet.committed, 0)
            // The live need, without the forecast's: only demand that is here launches cold.
            let live = ActivationTrigger.shadowsNeeded(demand: demand, running: Double(fleet.committed) * unit, unit: unit,
                                                       threshold: tracking.rule.threshold)
            let activated = fleet.activate(min(decision.activate, free))
            // The pool is short: the rest comes up cold.
            let cold = min(max(live - activated, 0), free - activated)
            fleet.launch(cold)
            if activated + cold > 0 { tracking.noteScaleOut(at: fleet.now) }
            return false
        }
        return tracking.scaleIn(to: tracking.desired(demand), fleet: &fleet)
    }
}
