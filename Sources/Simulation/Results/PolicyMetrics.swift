/// One policy's results over one group or summed over many: the JSON object written per policy.
///
/// The keys `unserved_unit_minutes`, `violation_minutes`, `time_to_capacity_p95_s`, `cost`,
/// `shadow_hours` and `activations` are the contract; the others explain them. A percentile
/// without any rise is null.
package struct PolicyMetrics: Sendable, Hashable, Codable {
    /// Demand above capacity, integrated over time (capacity unit × minutes).
    package var unservedUnitMinutes: Double
    /// The same in VM-minutes (÷ capacity units per VM): comparable across traces of different units.
    package var unservedVMMinutes: Double
    /// Minutes during which demand exceeded `slo` × capacity.
    package var violationMinutes: Double
    /// Seconds from a rise to capacity covering it: median, 95th and 99th percentile.
    package var timeToCapacityP50: Double?
    package var timeToCapacityP95: Double?
    package var timeToCapacityP99: Double?
    /// Rises measured (intervals needing more VMs than the one before) and those never covered before the end.
    package var rises: Int
    package var censoredRises: Int
    /// Total cost = VMs + shadows + unserved demand.
    package var cost: Double
    package var vmCost: Double
    package var shadowCost: Double
    package var unservedCost: Double
    /// VM-hours billed (booting included) and shadow-hours kept (booting and parked).
    package var vmHours: Double
    package var shadowHours: Double
    /// Shadows activated, shadows created, and the share of created shadows that were activated.
    package var activations: Int
    package var shadowsCreated: Int
    package var activatedShare: Double?
    /// On-demand launches (cold boots).
    package var launches: Int
    /// Minutes simulated (summed over groups) and minutes whose demand was missing.
    package var simulatedMinutes: Double
    package var missingMinutes: Double

    /// VM plus shadow cost: what the capacity cost, without the unserved demand's penalty.
    package var resourceCost: Double { vmCost + shadowCost }

    /// Sums `outcomes` (one group each); percentiles over all their rises together.
    package init(_ outcomes: [PolicyOutcome]) {
        var ttc: [Double] = []
        unservedUnitMinutes = 0; unservedVMMinutes = 0; violationMinutes = 0; rises = 0; censoredRises = 0
        vmCost = 0; shadowCost = 0; unservedCost = 0; vmHours = 0; shadowHours = 0
        activations = 0; shadowsCreated = 0; launches = 0; simulatedMinutes = 0; missingMinutes = 0
        for o in outcomes {
            unservedUnitMinutes += o.unservedUnitSeconds / 60
            unservedVMMinutes += o.unservedVMSeconds / 60
            violationMinutes += o.violationSeconds / 60
            ttc += o.timesToCapacity
            rises += o.rises
            censoredRises += o.censoredRises
            vmCost += o.vmCost
            shadowCost += o.shadowCost
            unservedCost += o.unservedCost
            vmHours += o.vmHours
            shadowHours += o.shadowHours
            activations += o.activations
            shadowsCreated += o.shadowsCreated
            launches += o.launches
            simulatedMinutes += o.simulatedSeconds / 60
            missingMinutes += (o.simulatedSeconds - o.observedSeconds) / 60
        }
        cost = vmCost + shadowCost + unservedCost
        ttc.sort()
        timeToCapacityP50 = Percentile.of(sorted: ttc, 0.50)
        timeToCapacityP95 = Percentile.of(sorted: ttc, 0.95)
        timeToCapacityP99 = Percentile.of(sorted: ttc, 0.99)
        activatedShare = shadowsCreated > 0 ? Double(activations) / Double(shadowsCreated) : nil
    }

    enum CodingKeys: String, CodingKey {
        case unservedUnitMinutes = "unserved_unit_minutes"
        case unservedVMMinutes = "unserved_vm_minutes"
        case violationMinutes = "violation_minutes"
        case timeToCapacityP50 = "time_to_capacity_p50_s"
        case timeToCapacityP95 = "time_to_capacity_p95_s"
        case timeToCapacityP99 = "time_to_capacity_p99_s"
        case rises
        case censoredRises = "censored_rises"
        case cost
        case resourceCost = "resource_cost"
        case vmCost = "vm_cost"
        case shadowCost = "shadow_cost"
        case unservedCost = "unserved_cost"
        case vmHours = "vm_hours"
        case shadowHours = "shadow_hours"
        case activations
        case shadowsCreated = "shadows_created"
        case activatedShare = "activated_share"
        case launches
        case simulatedMinutes = "simulated_minutes"
        case missingMinutes = "missing_minutes"
    }

    /// Writes every key, nulls included (a missing percentile is `null`, never an absent key).
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unservedUnitMinutes, forKey: .unservedUnitMinutes)
        try c.encode(unservedVMMinutes, forKey: .unservedVMMinutes)
        try c.encode(violationMinutes, forKey: .violationMinutes)
        try c.encode(timeToCapacityP50, forKey: .timeToCapacityP50)
        try c.encode(timeToCapacityP95, forKey: .timeToCapacityP95)
        try c.encode(timeToCapacityP99, forKey: .timeToCapacityP99)
        try c.encode(rises, forKey: .rises)
        try c.encode(censoredRises, forKey: .censoredRises)
        try c.encode(cost, forKey: .cost)
        try c.encode(resourceCost, forKey: .resourceCost)
        try c.encode(vmCost, forKey: .vmCost)
        try c.encode(shadowCost, forKey: .shadowCost)
        try c.encode(unservedCost, forKey: .unservedCost)
        try c.encode(vmHours, forKey: .vmHours)
        try c.encode(shadowHours, forKey: .shadowHours)
        try c.encode(activations, forKey: .activations)
        try c.encode(shadowsCreated, forKey: .shadowsCreated)
        try c.encode(activatedShare, forKey: .activatedShare)
        try c.encode(launches, forKey: .launches)
        try c.encode(simulatedMinutes, forKey: .simulatedMinutes)
        try c.encode(missingMinutes, forKey: .missingMinutes)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unservedUnitMinutes = try c.decode(Double.self, forKey: .unservedUnitMinutes)
        unservedVMMinutes = try c.decode(Double.self, forKey: .unservedVMMinutes)
        violationMinutes = try c.decode(Double.self, forKey: .violationMinutes)
        timeToCapacityP50 = try c.decodeIfPresent(Double.self, forKey: .timeToCapacityP50)
        timeToCapacityP95 = try c.decodeIfPresent(Double.self, forKey: .timeToCapacityP95)
        timeToCapacityP99 = try c.decodeIfPresent(Double.self, forKey: .timeToCapacityP99)
        rises = try c.decode(Int.self, forKey: .rises)
        censoredRises = try c.decode(Int.self, forKey: .censoredRises)
        cost = try c.decode(Double.self, forKey: .cost)
        vmCost = try c.decode(Double.self, forKey: .vmCost)
        shadowCost = try c.decode(Double.self, forKey: .shadowCost)
        unservedCost = try c.decode(Double.self, forKey: .unservedCost)
        vmHours = try c.decode(Double.self, forKey: .vmHours)
        shadowHours = try c.decode(Double.self, forKey: .shadowHours)
        activations = try c.decode(Int.self, forKey: .activations)
        shadowsCreated = try c.decode(Int.self, forKey: .shadowsCreated)
        activatedShare = try c.decodeIfPresent(Double.self, forKey: .activatedShare)
        launches = try c.decode(Int.self, forKey: .launches)
        simulatedMinutes = try c.decode(Double.self, forKey: .simulatedMinutes)
        missingMinutes = try c.decode(Double.self, forKey: .missingMinutes)
    }
}

/// Percentiles by linear interpolation between order statistics (numpy's default, Hyndman &
/// Fan's type 7): p × (n − 1) is the fractional rank.
enum Percentile {
    static func of(sorted x: [Double], _ p: Double) -> Double? {
        guard !x.isEmpty else { return nil }
        let rank = p * Double(x.count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, x.count - 1)
        return x[lo] + (rank - Double(lo)) * (x[hi] - x[lo])
    }
}
