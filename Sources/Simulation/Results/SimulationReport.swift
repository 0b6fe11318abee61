import Foundation
import Markup
import Scaling

/// Everything a run produced: per-group outcomes, per-policy totals and the sweep's frontier.
package struct SimulationReport: Sendable {
    package var parameters: SimulationParameters
    package var policies: [PolicyKind]
    package var sweeps: [Sweep]
    package var groups: [GroupResult]
    /// Groups that could not be simulated, with the reason.
    package var skipped: [String]

    /// Each policy's totals over all groups, in the order the policies were asked for.
    package var overall: [(policy: PolicyKind, metrics: PolicyMetrics)] {
        policies.map { kind in (kind, PolicyMetrics(groups.compactMap { g in g.outcomes.first { $0.policy == kind } })) }
    }

    /// For each sweep whose policy was simulated, that policy's totals at each value.
    package var frontiers: [(sweep: Sweep, points: [(value: Double, metrics: PolicyMetrics)])] {
        sweeps.indices.compactMap { s in
            let sweep = sweeps[s]
            let points: [(value: Double, metrics: PolicyMetrics)] = sweep.values.indices.compactMap { k in
                let outcomes = groups.compactMap { g in g.sweeps.indices.contains(s) && g.sweeps[s].indices.contains(k) ? g.sweeps[s][k] : nil }
                return outcomes.isEmpty ? nil : (sweep.values[k], PolicyMetrics(outcomes))
            }
            return points.isEmpty ? nil : (sweep, points)
        }
    }

    /// Each simulated policy's Pareto frontier over its run at the parameters and its sweep's
    /// points, in the order the policies were asked for.
    package var policyFrontiers: [(policy: PolicyKind, frontier: Frontier)] {
        let swept = frontiers
        return overall.map { kind, metrics in
            var candidates = [Frontier.Point(cost: metrics.resourceCost, unserved: metrics.unservedUnitMinutes, label: "defaults")]
            for (sweep, points) in swept where sweep.parameter.policy == kind {
                candidates += points.map {
                    Frontier.Point(cost: $0.metrics.resourceCost, unserved: $0.metrics.unservedUnitMinutes,
                                   label: "\(sweep.parameter.rawValue) = \(ReportNumber.compact($0.value))")
                }
            }
            return (kind, Frontier(candidates))
        }
    }

    /// The shadow policy's frontier against each other simulated policy's (nil entries: no
    /// common cost range); empty when shadow is not simulated.
    package var dominance: [(other: PolicyKind, dominance: Dominance?)] {
        let all = policyFrontiers
        guard let shadow = all.first(where: { $0.policy == .shadow })?.frontier else { return [] }
        return all.filter { $0.policy != .shadow }.map { ($0.policy, Dominance(shadow, over: $0.frontier)) }
    }

    /// The JSON document `--json` writes (docs/simulation.md, "Output").
    package func json(trace: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(Document(self, trace: trace))
    }

    struct PolicyTable: Encodable {
        var entries: [(PolicyKind, PolicyMetrics)]
        struct Key: CodingKey {
            var stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (kind, metrics) in entries { try c.encode(metrics, forKey: Key(stringValue: kind.rawValue)) }
        }
    }

    struct Document: Encodable {
        var schemaVersion = 1
        var trace: String
        var parameters: ParameterEcho
        var policies: PolicyTable
        var groups: [GroupEntry]
        var sweeps: [SweepEntry]
        var frontiers: FrontierTable
        var dominance: DominanceTable
        var skipped: [String]

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version", trace, parameters, policies, groups, sweeps, frontiers, dominance, skipped
        }

        init(_ r: SimulationReport, trace: String) {
            self.trace = trace
            parameters = ParameterEcho(r.parameters)
            policies = PolicyTable(entries: r.overall.map { ($0.policy, $0.metrics) })
            groups = r.groups.map(GroupEntry.init)
            sweeps = r.frontiers.map { f in
                SweepEntry(parameter: f.sweep.parameter.rawValue, policy: f.sweep.parameter.policy.rawValue,
                           points: f.points.map { SweepPoint(value: $0.value, metrics: $0.metrics) })
            }
            frontiers = FrontierTable(entries: r.policyFrontiers.map { ($0.policy.rawValue, $0.frontier) })
            dominance = DominanceTable(entries: r.dominance.map { ("shadow_vs_" + $0.other.rawValue, $0.dominance) })
            skipped = r.skipped
        }
    }

    /// `"shadow": {"points": [{"cost", "unserved_unit_minutes", "label"}…], "lowest_unserved_unit_minutes",
    /// "cost_range": [low, high]}` per policy.
    struct FrontierTable: Encodable {
        var entries: [(String, Frontier)]
        struct Entry: Encodable {
            var frontier: Frontier
            struct P: Encodable {
                var cost: Double, unserved: Double, label: String
                enum CodingKeys: String, CodingKey { case cost, unserved = "unserved_unit_minutes", label }
            }
            enum CodingKeys: String, CodingKey { case points, lowest = "lowest_unserved_unit_minutes", range = "cost_range" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(frontier.points.map { P(cost: $0.cost, unserved: $0.unserved, label: $0.label) }, forKey: .points)
                try c.encode(frontier.lowestUnserved, forKey: .lowest)
                try c.encode(frontier.costRange.map { [$0.lowerBound, $0.upperBound] }, forKey: .range)
            }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: PolicyTable.Key.self)
            for (name, f) in entries { try c.encode(Entry(frontier: f), forKey: PolicyTable.Key(stringValue: name)) }
        }
    }

    /// `"shadow_vs_reactive": {"share", "area", "cost_range"}` (null: no common cost range).
    struct DominanceTable: Encodable {
        var entries: [(String, Dominance?)]
        struct Entry: Encodable {
            var d: Dominance
            enum CodingKeys: String, CodingKey { case share, area, range = "cost_range" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(d.share, forKey: .share)
                try c.encode(d.area, forKey: .area)
                try c.encode([d.range.lowerBound, d.range.upperBound], forKey: .range)
            }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: PolicyTable.Key.self)
            for (name, d) in entries { try c.encode(d.map(Entry.init), forKey: PolicyTable.Key(stringValue: name)) }
        }
    }

    struct GroupEntry: Encodable {
        var group: String
        var intervals: Int
        var simulatedIntervals: Int
        var missingIntervals: Int
        var intervalSeconds: Double
        var forecastModels: [String]
        var season: Int?
        var fits: Int
        var failedFits: Int
        var calibrations: Int
        var missingForecasts: Int
        var diagnostics: [String]
        var policies: PolicyTable

        enum CodingKeys: String, CodingKey {
            case group, intervals, simulatedIntervals = "simulated_intervals", missingIntervals = "missing_intervals"
            case intervalSeconds = "interval_s", forecastModels = "forecast_models", season, fits, failedFits = "failed_fits"
            case calibrations, missingForecasts = "missing_forecasts", diagnostics, policies
        }

        init(_ g: GroupResult) {
            group = g.group
            intervals = g.intervals
            simulatedIntervals = g.intervals - g.start
            missingIntervals = g.missingIntervals
            intervalSeconds = g.interval
            forecastModels = g.forecastModels
            season = g.season
            fits = g.fits
            failedFits = g.failedFits
            calibrations = g.calibrations
            missingForecasts = g.missingForecasts
            diagnostics = Array(g.diagnostics.prefix(20))
            policies = PolicyTable(entries: g.outcomes.map { ($0.policy, PolicyMetrics([$0])) })
        }
    }

    struct SweepEntry: Encodable {
        var parameter: String
        var policy: String
        var points: [SweepPoint]
    }

    struct SweepPoint: Encodable {
        var value: Double
        var metrics: PolicyMetrics
    }
}

/// The parameters in force, as the JSON echoes them (defaults resolved).
struct ParameterEcho: Encodable {
    let p: SimulationParameters
    init(_ p: SimulationParameters) { self.p = p }

    enum Key: String, CodingKey {
        case capacityPerVM = "capacity_per_vm", targetUtilisation = "target_utilisation", minVMs = "min_vms", maxVMs = "max_vms"
        case sloUtilisation = "slo_utilisation", launchDelay = "launch_delay_s", activationDelay = "activation_delay_s"
        case detectionDelay = "detection_delay_s", evaluationPeriod = "evaluation_period_s", triggerDetection = "trigger_detection_s"
        case scaleOutCooldown = "scale_out_cooldown_s", scaleInCooldown = "scale_in_cooldown_s", buffer
        case schedulingBuffer = "scheduling_buffer_s", tau, minShadows = "min_shadows", maxShadows = "max_shadows", shadowCooldown = "shadow_cooldown_s"
        case aciRate = "aci_rate", triggerLevel = "trigger_level", activationLead = "activation_lead_s", aheadLevel = "ahead_level"
        case aheadLaunch = "ahead_launch", leadWindow = "lead_window", poolPricing = "pool_pricing"
        case sizerRunning = "sizer_running"
        case vmCost = "vm_cost", shadowCost = "shadow_cost", missCost = "miss_cost", model, arimaOrder = "arima_order"
        case fourierHarmonics = "fourier_harmonics", season, trainingWindow = "training_window_s"
        case retrainEvery = "retrain_every_s", calibrationWindow = "calibration_window_s", levels
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(p.unitsPerVM, forKey: .capacityPerVM)
        try c.encode(p.targetUtilisation, forKey: .targetUtilisation)
        try c.encode(p.minimumVMs, forKey: .minVMs)
        try c.encode(p.maximumVMs, forKey: .maxVMs)
        try c.encode(p.sloUtilisation, forKey: .sloUtilisation)
        try c.encode(p.launchDelay, forKey: .launchDelay)
        try c.encode(p.activationDelay, forKey: .activationDelay)
        try c.encode(p.detectionDelay, forKey: .detectionDelay)
        try c.encode(p.evaluationPeriod, forKey: .evaluationPeriod)
        try c.encode(p.triggerDetection, forKey: .triggerDetection)
        try c.encode(p.scaleOutCooldown, forKey: .scaleOutCooldown)
        try c.encode(p.scaleInCooldown, forKey: .scaleInCooldown)
        try c.encode(p.buffer, forKey: .buffer)
        try c.encode(p.effectiveSchedulingBuffer, forKey: .schedulingBuffer)
        try c.encode(p.effectiveTau, forKey: .tau)
        try c.encode(p.minimumShadows, forKey: .minShadows)
        try c.encode(p.maximumShadows, forKey: .maxShadows)
        try c.encode(p.shadowCooldown, forKey: .shadowCooldown)
        try c.encode(p.aciLearningRate, forKey: .aciRate)
        try c.encode(p.triggerLevel, forKey: .triggerLevel)
        try c.encode(p.activationLeadTime, forKey: .activationLead)
        try c.encode(p.aheadRule.rawValue, forKey: .aheadLevel)
        try c.encode(p.leadWindow.rawValue, forKey: .leadWindow)
        try c.encode(p.poolPricing.rawValue, forKey: .poolPricing)
        try c.encode(p.aheadLaunch ? "on" : "off", forKey: .aheadLaunch)
        try c.encode(p.sizeAtThreshold ? "threshold" : "full", forKey: .sizerRunning)
        try c.encode(p.vmCost, forKey: .vmCost)
        try c.encode(p.shadowCost, forKey: .shadowCost)
        try c.encode(p.effectiveMissCost, forKey: .missCost)
        try c.encode(p.model, forKey: .model)
        try c.encode(p.arimaOrder, forKey: .arimaOrder)
        try c.encode(p.fourierHarmonics, forKey: .fourierHarmonics)
        try c.encode(p.season, forKey: .season)
        try c.encode(p.trainingWindow, forKey: .trainingWindow)
        try c.encode(p.retrainEvery, forKey: .retrainEvery)
        try c.encode(p.calibrationWindow, forKey: .calibrationWindow)
        try c.encode(p.levels, forKey: .levels)
    }
}
