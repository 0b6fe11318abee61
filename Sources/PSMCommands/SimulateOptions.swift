import ArgumentParser
import Scaling
import Simulation

// `psm simulate`'s parameters, grouped as docs/configuration.md lists them. Each default is the
// `SimulationParameters` default; docs/simulation.md says where it comes from.

struct CapacityFlags: ParsableArguments {
    @Option(help: "Capacity units one VM (or activated shadow) serves.") var capacityPerVm = 1.0

    @Option(help: "Target utilisation θ: reactive target, predictive sizing utilisation and activation threshold.")
    var targetUtilisation = 0.7

    @Option(help: "Fewest running VMs per group.") var minVms = 1

    @Option(help: "Most running VMs per group.") var maxVms = 10_000

    @Option(help: "Utilisation above which time counts as an SLO violation (1: demand above capacity).")
    var sloUtilisation = 1.0

    func apply(to p: inout SimulationParameters) throws {
        p.unitsPerVM = capacityPerVm
        p.targetUtilisation = targetUtilisation
        p.minimumVMs = minVms
        p.maximumVMs = maxVms
        p.sloUtilisation = sloUtilisation
    }
}

struct DelayFlags: ParsableArguments {
    @Option(help: "On-demand launch → serving (cold boot measured on the real tiny guest: 4.7–8 s; cloud VMs: minutes).")
    var launchDelay = "8s"

    @Option(help: "Shadow activation → serving (measured: paused 43ms, saved 0.65s).") var activationDelay = "43ms"

    @Option(help: "Interval start → its demand visible to live decisions (metric period).") var detectionDelay = "60s"

    @Option(help: "Between live re-evaluations while a cooldown holds an action back.") var evaluationPeriod = "60s"

    @Option(help: "shadow: interval start → its demand seen by psm's live trigger, and between its evaluations (the actuator's collector interval).")
    var triggerDetection = "10s"

    func apply(to p: inout SimulationParameters) throws {
        p.launchDelay = try duration(launchDelay, flag: "--launch-delay")
        p.activationDelay = try duration(activationDelay, flag: "--activation-delay")
        p.detectionDelay = try duration(detectionDelay, flag: "--detection-delay")
        p.evaluationPeriod = try duration(evaluationPeriod, flag: "--evaluation-period")
        p.triggerDetection = try duration(triggerDetection, flag: "--trigger-detection")
    }
}

struct PolicyFlags: ParsableArguments {
    @Option(help: "Reactive (all policies' live scaling): wait after a scale-out before the next.")
    var scaleOutCooldown = "300s"

    @Option(help: "Wait after any scaling action before a scale-in.") var scaleInCooldown = "300s"

    @Option(help: "predictive-buffer: capacity above the point forecast, as a fraction.") var buffer = 0.1

    @Option(help: "predictive-buffer: how far ahead of each interval its capacity is launched (default: the launch delay).")
    var schedulingBuffer: String?

    @Option(help: "shadow: the sizer's critical ratio τ (default: c_miss / (c_miss + c_reserve) from the costs).")
    var tau: Double?

    @Option(help: "shadow: fewest shadows per group (the pool's lower bound, as a group's bounds in psm-actuator).")
    var minShadows = 0

    @Option(help: "shadow: most shadows per group.") var maxShadows = 20

    @Option(help: "shadow: how long the pool's target must stay lower before the pool shrinks.")
    var shadowCooldown = "15m"

    @Option(help: "shadow: learning rate γ of the sizer's adaptive conformal correction.") var aciRate = 0.005

    @Option(help: "shadow: forecast quantile the trigger activates ahead on, or none (live demand only).")
    var triggerLevel = "0.5"

    @Option(help: "shadow: how the sizer reads its lead window: maximum (the quantile of the window's maximum demand) or largest-step (the largest per-step quantile).")
    var leadWindow: LeadWindow = .maximum

    @Option(help: "shadow: the miss a shadow avoids, as the sizer prices it: interval (c_miss: the pool's critical ratio is τ) or launch (c_miss × launch delay / interval).")
    var poolPricing: PoolPricing = .interval

    @Option(help: "shadow: cost (raise the trigger's forecast level to where activating ahead pays for itself), tau (raise it to τ) or fixed (--trigger-level as it is).")
    var aheadLevel: AheadRule = .fixed

    @Option(help: "shadow: on (launch, a launch delay ahead, what the ahead level's quantile needs beyond the ready pool) or off.")
    var aheadLaunch: OnOff = .on

    @Option(help: "shadow: how far ahead the trigger acts on the forecast.") var activationLead = "60s"

    @Option(help: "shadow: running capacity as the sizer sees it: threshold (θ × capacity, the pool the trigger will use, as the actuator runtime does) or full (all of it).")
    var sizerRunning: SizerRunning = .threshold

    func apply(to p: inout SimulationParameters) throws {
        p.scaleOutCooldown = try duration(scaleOutCooldown, flag: "--scale-out-cooldown")
        p.scaleInCooldown = try duration(scaleInCooldown, flag: "--scale-in-cooldown")
        p.buffer = buffer
        p.schedulingBuffer = try schedulingBuffer.map { try duration($0, flag: "--scheduling-buffer") }
        p.tau = tau
        p.minimumShadows = minShadows
        p.maximumShadows = maxShadows
        p.shadowCooldown = try duration(shadowCooldown, flag: "--shadow-cooldown")
        p.aciLearningRate = aciRate
        if triggerLevel.lowercased() == "none" {
            p.triggerLevel = nil
        } else if let level = Double(triggerLevel) {
            p.triggerLevel = level
        } else {
            throw ValidationError("--trigger-level must be a level in (0, 1) or none, got \"\(triggerLevel)\"")
        }
        p.aheadRule = aheadLevel
        p.leadWindow = leadWindow
        p.poolPricing = poolPricing
        p.aheadLaunch = aheadLaunch == .on
        p.activationLeadTime = try duration(activationLead, flag: "--activation-lead")
        p.sizeAtThreshold = sizerRunning == .threshold
    }
}

extension LeadWindow: ExpressibleByArgument {}
extension PoolPricing: ExpressibleByArgument {}
extension AheadRule: ExpressibleByArgument {}

enum OnOff: String, CaseIterable, ExpressibleByArgument { case on, off }

/// `--sizer-running`: threshold sizes against θ × running capacity, full against all of it.
enum SizerRunning: String, CaseIterable, ExpressibleByArgument { case threshold, full }

struct CostFlags: ParsableArguments {
    @Option(help: "Cost of one running (or launching) VM for one interval.") var vmCost = 1.0

    @Option(help: "Cost of one parked shadow for one interval (a booting shadow costs --vm-cost).")
    var shadowCost = 0.25

    @Option(help: "Cost of one capacity unit of demand unserved for one interval (default: 5 × --vm-cost / --capacity-per-vm).")
    var missCost: Double?

    func apply(to p: inout SimulationParameters) throws {
        p.vmCost = vmCost
        p.shadowCost = shadowCost
        p.missCost = missCost
    }
}

struct ForecastFlags: ParsableArguments {
    @Option(help: "Forecasting model: arima, ets, theta or seasonal-naive.") var model = "arima"

    @Option(help: "ARIMA order: auto (chosen per group on its first window, refitted after) or p,d,q.")
    var arimaOrder = "auto"

    @Option(help: "Fourier harmonics of the season with a fixed ARIMA order.") var fourierHarmonics = 3

    @Option(help: "Seasonal period in intervals (default: one day when the interval divides it).") var season: Int?

    @Option(help: "History each fit sees; the simulation starts after the first window.") var trainingWindow = "3d"

    @Option(help: "Time between refits (between them the model takes each new interval without refitting).")
    var retrainEvery = "1d"

    @Option(help: "Past forecasts the conformal calibration is fitted on at each refit.") var calibrationWindow = "1d"

    @Option(help: "Seconds per step of an integer-indexed trace.") var interval = "300s"

    func apply(to p: inout SimulationParameters) throws {
        p.model = model
        p.arimaOrder = arimaOrder
        p.fourierHarmonics = fourierHarmonics
        p.season = season
        p.trainingWindow = try duration(trainingWindow, flag: "--training-window")
        p.retrainEvery = try duration(retrainEvery, flag: "--retrain-every")
        p.calibrationWindow = try duration(calibrationWindow, flag: "--calibration-window")
        p.indexInterval = try duration(interval, flag: "--interval")
    }
}
