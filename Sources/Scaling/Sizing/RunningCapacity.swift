/// The running-capacity rule, in one place: how much capacity serves a group now (`RunningSource`),
/// and how much demand that capacity serves within the trigger's threshold (`TriggerPolicy.servable`).
/// The runtime's decision cycle, its scale-in and `runningCapacity` (the API) all count this way.
extension RunningSource {
    /// A group's running capacity: its regular VMs — the configured `running` when the file sets
    /// one, else what the collector measured of its running members (0 before it saw any) —, plus
    /// on-demand capacity pushed (`running_units`) or replayed, plus its activated shadows: the
    /// units they serve when known (an activation below full size serves less), else `unit` each.
    /// - Parameters:
    ///   - configured: the file's `running` (nil: not set; the collector's measure counts).
    ///   - measured: the collector's last sight of the group's members — their capacity units, how
    ///     many, when (nil: none yet); ignored when `configured` is set.
    public init(configured: Double?, measured: (units: Double, members: Int, time: Int64)?, onDemand: Double,
                activeShadows: Int, shadowUnits: Double?, unit: Double) {
        let seen = configured == nil ? measured : nil
        self.init(regular: configured ?? seen?.units ?? 0, configured: configured != nil, members: seen?.members ?? 0,
                  measuredAt: seen?.time, onDemand: onDemand, activeShadows: activeShadows,
                  shadowUnits: shadowUnits ?? Double(activeShadows) * unit)
    }
}

extension TriggerPolicy {
    /// The demand `capacity` serves within the utilisation threshold: θ × capacity. The pool is
    /// sized at it (running and a shadow's unit both counted at θ, so the pool holds what the
    /// trigger will ask for) and scale-in keeps a group within it.
    public func servable(_ capacity: Double) -> Double { utilisationThreshold * capacity }
}
