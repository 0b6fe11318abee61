import MetricStore
import TimeSeries

/// Why a control request failed, in terms an HTTP layer maps to a status (docs/actuator.md, "API").
public struct ControlError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The request is malformed or out of range (400 / 422).
        case invalid
        /// The group, shadow or notice does not exist (404).
        case notFound
        /// The state forbids it now: no ready shadow, activation in progress (409).
        case conflict
        /// A dependency failed (libvirt, the store, the registry) (503).
        case unavailable
    }
    public var kind: Kind
    public var message: String
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// An advance notice of load from an application team (`POST /v1/notices`).
public struct NoticeRequest: Sendable, Hashable, Codable {
    public var group: String
    /// Unix seconds; start < end.
    public var start: Int64
    public var end: Int64
    /// Expected demand as a multiple of the forecast (> 0) …
    package var multiplier: Double?
    /// … or as an absolute level in capacity units (≥ 0). Exactly one of the two.
    public var level: Double?
    public var note: String?

    package init(group: String, start: Int64, end: Int64, multiplier: Double? = nil, level: Double? = nil, note: String? = nil) {
        self.group = group
        self.start = start
        self.end = end
        self.multiplier = multiplier
        self.level = level
        self.note = note
    }
}

/// A stored notice.
public struct NoticeView: Sendable, Hashable, Codable {
    public var id: Int64
    public var group: String
    public var start: Int64
    public var end: Int64
    package var multiplier: Double?
    public var level: Double?
    public var note: String?
    public var createdAt: Int64

    package init(id: Int64, group: String, start: Int64, end: Int64, multiplier: Double? = nil, level: Double? = nil,
                note: String? = nil, createdAt: Int64) {
        self.id = id
        self.group = group
        self.start = start
        self.end = end
        self.multiplier = multiplier
        self.level = level
        self.note = note
        self.createdAt = createdAt
    }
}

/// A group's current forecast as served (`GET /v1/forecasts/{group}`).
/// The memory side of a group's forecast view: the memory model served, the MiB the group holds
/// now (what the sizer compares the forecast with) and the last cycle's memory forecast (MiB).
public struct MemoryForecastView: Sendable, Hashable, Codable {
    package var modelVersion: String
    package var modelKind: String?
    /// MiB the running capacity holds (the collector's latest sum, else running units × template MiB per unit).
    package var heldMiB: Double
    /// Quantiles in MiB; empty when the memory model gave no forecast.
    public var steps: [ForecastView.Step]

    package init(modelVersion: String, modelKind: String? = nil, heldMiB: Double, steps: [ForecastView.Step]) {
        self.modelVersion = modelVersion
        self.modelKind = modelKind
        self.heldMiB = heldMiB
        self.steps = steps
    }
}

public struct ForecastView: Sendable, Hashable, Codable {
    public struct Step: Sendable, Hashable, Codable {
        /// 1-based step and its time (Unix seconds).
        public var step: Int
        public var time: Int64
        public var mean: Double
        /// Level (as written, e.g. "0.95") → demand in capacity units.
        public var quantiles: [String: Double]

        package init(step: Int, time: Int64, mean: Double, quantiles: [String: Double]) {
            self.step = step
            self.time = time
            self.mean = mean
            self.quantiles = quantiles
        }
    }
    public var group: String
    /// The model version serving (nil when none is loaded yet).
    package var modelVersion: String?
    package var modelKind: String?
    /// The sizing level after online correction (ACI), its target τ, and the observed coverage.
    public var calibration: CalibrationView
    /// Notices whose window meets the horizon and that changed these quantiles (either path).
    public var notices: [Int64]
    /// How each current notice of the group reaches the forecast: through the model's learned
    /// coefficient or as the explicit adjustment, and why (docs/api.md, "What a notice does").
    package var noticeEffects: [NoticeRoute]
    public var steps: [Step]
    /// The group's memory model (`<group>.memory_mib`) and its last forecast (MiB), when one is
    /// served; absent otherwise (docs/actuator.md, "Binding resource").
    public var memory: MemoryForecastView?

    package init(group: String, modelVersion: String? = nil, modelKind: String? = nil, calibration: CalibrationView,
                notices: [Int64] = [], noticeEffects: [NoticeRoute] = [], steps: [Step], memory: MemoryForecastView? = nil) {
        self.memory = memory
        self.group = group
        self.modelVersion = modelVersion
        self.modelKind = modelKind
        self.calibration = calibration
        self.notices = notices
        self.noticeEffects = noticeEffects
        self.steps = steps
    }
}

/// The online calibration state of a group.
public struct CalibrationView: Sendable, Hashable, Codable {
    package var targetLevel: Double
    package var currentLevel: Double
    package var observedCoverage: Double?
    package var intervals: Int

    package init(targetLevel: Double, currentLevel: Double, observedCoverage: Double? = nil, intervals: Int) {
        self.targetLevel = targetLevel
        self.currentLevel = currentLevel
        self.observedCoverage = observedCoverage
        self.intervals = intervals
    }
}

/// A shadow as the API shows it (`GET /v1/shadows`).
public struct ShadowView: Sendable, Hashable, Codable {
    public var id: String
    public var group: String
    public var host: String
    public var domain: String
    public var state: String
    public var baseline: Size
    public var full: Size
    public var reservedUnits: Int64
    public var createdAt: Int64
    public var activationID: String?
    /// Its route when psm routes it: routed, failed (retried), draining, withdrawn.
    package var routing: String?

    package init(id: String, group: String, host: String, domain: String, state: String, baseline: Size, full: Size,
                reservedUnits: Int64, createdAt: Int64, activationID: String? = nil) {
        self.id = id
        self.group = group
        self.host = host
        self.domain = domain
        self.state = state
        self.baseline = baseline
        self.full = full
        self.reservedUnits = reservedUnits
        self.createdAt = createdAt
        self.activationID = activationID
    }

    public struct Size: Sendable, Hashable, Codable {
        public var vcpus: Int64
        public var memoryMiB: Int64

        package init(vcpus: Int64, memoryMiB: Int64) {
            self.vcpus = vcpus
            self.memoryMiB = memoryMiB
        }
    }
}

/// One activation's outcome (`POST /v1/shadows/{id}/activate`).
public struct ActivationView: Sendable, Hashable, Codable {
    public var activationID: String
    public var shadowID: String
    public var group: String
    /// succeeded, rolledBack, failed; nil while in progress.
    public var outcome: String?
    /// Step name → milliseconds.
    package var stepLatenciesMs: [String: Double]
    package var totalMs: Double?
    /// Its route when psm routes it: routed, or failed — the VM runs and is active, and the route
    /// is retried each cycle (docs/routing.md).
    package var routing: String?
    /// What the router answered when routing failed.
    package var routingError: String?
    /// The size asked for (the forecast's share, or the request's capacity) before clamping; nil
    /// when none was (the full size).
    public var predicted: SizeView?
    /// The size the scale step set; nil until it ran.
    public var applied: SizeView?

    package init(activationID: String, shadowID: String, group: String, outcome: String? = nil,
                stepLatenciesMs: [String: Double] = [:], totalMs: Double? = nil,
                predicted: SizeView? = nil, applied: SizeView? = nil) {
        self.activationID = activationID
        self.shadowID = shadowID
        self.group = group
        self.outcome = outcome
        self.stepLatenciesMs = stepLatenciesMs
        self.totalMs = totalMs
        self.predicted = predicted
        self.applied = applied
    }

    /// A VM size in an activation's answer.
    public struct SizeView: Sendable, Hashable, Codable {
        public var vcpus: Int64
        public var memoryMiB: Int64

        package init(vcpus: Int64, memoryMiB: Int64) {
            self.vcpus = vcpus
            self.memoryMiB = memoryMiB
        }
    }
}

/// The capacity `POST /v1/groups/{group}/activate` asks one VM to have: capacity units (vCPUs
/// by the group's unit ↔ full vCPUs, memory by the measured MiB per unit, else full), or vCPUs
/// and/or memory directly. Whatever is asked is clamped to the shadow's baseline…full size.
public struct ActivationCapacity: Sendable, Hashable, Codable {
    public var units: Double?
    public var vcpus: Int64?
    public var memoryMiB: Int64?

    package init(units: Double? = nil, vcpus: Int64? = nil, memoryMiB: Int64? = nil) {
        self.units = units
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
    }
}

/// Hosts with capacity, load and what shadows reserve (`GET /v1/hosts`): what a regular
/// scheduler reads to leave reserved capacity alone (docs/hypervisor.md).
public struct HostView: Sendable, Hashable, Codable {
    public var name: String
    public var uri: String
    package var enabled: Bool
    /// up, unreachable or lost (docs/actuator.md, "Lost hosts").
    public var state: String
    /// When the host stopped answering (while unreachable or lost).
    package var unreachableSince: Int64?
    /// When its shadows were marked lost.
    package var lostAt: Int64?
    /// The connection error of the last failed check.
    package var lastError: String?
    /// What the host reported at its last answer (absent before the first).
    public var measured: MeasuredHostView?
    /// The configured cap; absent dimensions are not capped.
    package var cap: HostCapView
    /// min(measured, cap): what placement uses.
    public var capacity: CapacityAmount
    /// What domains holding no reservation take (regular VMs, activated shadows).
    public var used: CapacityAmount
    /// The same as `used` (the name before hosts were measured).
    public var load: CapacityAmount
    /// What shadows reserve (their full sizes).
    package var reserved: CapacityAmount
    /// capacity − used − reserved.
    public var free: CapacityAmount

    package init(name: String, uri: String, enabled: Bool, capacity: CapacityAmount, load: CapacityAmount,
                reserved: CapacityAmount, free: CapacityAmount, status: HostStatus = HostStatus()) {
        self.name = name
        self.uri = uri
        self.enabled = enabled
        self.capacity = capacity
        self.used = load
        self.load = load
        self.reserved = reserved
        self.free = free
        state = status.state.rawValue
        unreachableSince = status.unreachableSince
        lostAt = status.lostAt
        lastError = status.lastError
        if let vcpus = status.measuredVCPUs, let memory = status.measuredMemoryMiB, let at = status.measuredAt {
            measured = MeasuredHostView(vcpus: vcpus, memoryMiB: memory, freeMemoryMiB: status.freeMemoryMiB, at: at)
        }
        cap = HostCapView(vcpus: status.capVCPUs, memoryMiB: status.capMemoryMiB, units: capacity.units)
    }

    /// The view of one host's availability.
    package init(_ a: HostAvailability) {
        self.init(name: a.host.name, uri: a.host.uri, enabled: a.host.enabled, capacity: a.host.capacity,
                  load: a.host.load, reserved: a.reserved, free: a.free, status: a.host.status)
    }
}

/// What a host reported (`virNodeGetInfo`, free memory) and when.
public struct MeasuredHostView: Sendable, Hashable, Codable {
    public var vcpus: Int64
    public var memoryMiB: Int64
    package var freeMemoryMiB: Int64?
    public var at: Int64
}

/// A host's configured cap: vCPUs and memory when set, and its capacity units.
package struct HostCapView: Sendable, Hashable, Codable {
    public var vcpus: Int64?
    public var memoryMiB: Int64?
    public var units: Int64
}

/// One pushed application metric sample (`POST /v1/metrics`).
public struct MetricSample: Sendable, Hashable, Codable {
    public var group: String
    /// e.g. tps, queue_depth, demand_units.
    public var metric: String
    public var value: Double
    /// Unix seconds; nil = now.
    public var time: Int64?

    package init(group: String, metric: String, value: Double, time: Int64? = nil) {
        self.group = group
        self.metric = metric
        self.value = value
        self.time = time
    }
}

/// The service's health (`GET /healthz`).
public struct HealthView: Sendable, Hashable, Codable {
    /// ok, degraded (a host or model failing, still serving), or failing.
    public var status: String
    package var checks: [String: String]

    package init(status: String, checks: [String: String] = [:]) {
        self.status = status
        self.checks = checks
    }
}

/// What the HTTP API asks of the running actuator. The actuator implements it; the API layer
/// validates JSON, authenticates and maps `ControlError` to statuses.
public protocol ActuatorControl: Sendable {
    func submitNotice(_ notice: NoticeRequest) async throws(ControlError) -> NoticeView
    func notices(group: String?) async throws(ControlError) -> [NoticeView]
    func forecast(group: String) async throws(ControlError) -> ForecastView
    func shadows() async throws(ControlError) -> [ShadowView]
    /// Activates the shadow; `requestID` makes a retried request idempotent (same id → same activation).
    func activate(shadowID: String, requestID: String?) async throws(ControlError) -> ActivationView
    /// Activates the group's best ready shadow to `capacity` (nil: its full size); `requestID` as above.
    func activate(group: String, requestID: String?, capacity: ActivationCapacity?) async throws(ControlError) -> ActivationView
    func hosts() async throws(ControlError) -> [HostView]
    /// Records pushed application metrics; returns how many were accepted.
    func pushMetrics(_ samples: [MetricSample]) async throws(ControlError) -> Int
    func health() async -> HealthView
    /// The groups the actuator manages.
    func groups() async -> [String]
    /// Whether the actuator manages `group` (checked on every request that names one).
    func manages(group: String) async -> Bool
}

extension ActuatorControl {
    public func manages(group: String) async -> Bool { await groups().contains(group) }
}
