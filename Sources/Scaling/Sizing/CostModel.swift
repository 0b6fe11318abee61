/// Why a sizing policy could not be built.
public struct SizingError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of problem occurred.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String { case invalidCost, invalidBounds, invalidPolicy }
        let kind: Kind
        /// A cost or delay is not positive and finite.
        package static let invalidCost = Code(kind: .invalidCost)
        /// A group's minimum exceeds its maximum, or one is negative.
        package static let invalidBounds = Code(kind: .invalidBounds)
        /// Another policy parameter (lead time, cooldown, budget, learning rate) is out of range.
        package static let invalidPolicy = Code(kind: .invalidPolicy)
        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// The configured prices the sizing trades off: a miss against a reserve.
///
/// Both costs are per capacity unit and per sizing interval, so the newsvendor ratio is
/// dimensionless and one cost model serves groups whose shadows have different sizes: a shadow of
/// `unit` capacity units costs `unit × reserveCost` per interval.
public struct CostModel: Sendable, Hashable, Codable {
    /// c_miss: cost of one unit of demand left unserved for one interval.
    public var missCost: Double
    /// c_reserve: cost of holding one unit of shadow capacity for one interval.
    public var reserveCost: Double
    /// Seconds an on-demand VM takes to launch: how long demand waits when no shadow is ready.
    public var launchDelay: Double
    /// Seconds per sizing interval (the unit of time both costs are quoted in).
    public var interval: Double

    public init(missCost: Double, reserveCost: Double, launchDelay: Double, interval: Double = 300) throws(SizingError) {
        for (name, v) in [("miss cost", missCost), ("reserve cost", reserveCost),
                          ("launch delay", launchDelay), ("interval", interval)] {
            guard v.isFinite && v > 0 else {
                throw SizingError(.invalidCost, "the \(name) must be positive and finite, got \(v)")
            }
        }
        self.missCost = missCost
        self.reserveCost = reserveCost
        self.launchDelay = launchDelay
        self.interval = interval
    }

    /// τ = c_miss / (c_miss + c_reserve), the newsvendor critical ratio: holding one more unit pays
    /// off exactly while P(demand > it) > c_reserve / (c_miss + c_reserve).
    package var criticalRatio: Double { missCost / (missCost + reserveCost) }

    /// The cost of one shadow of `unit` capacity units for one interval.
    package func shadowCost(unit: Double) -> Double { unit * reserveCost }

    /// The value of serving `units` of demand at once rather than after the launch delay.
    package func avoidedMissValue(units: Double) -> Double { units * (launchDelay / interval) * missCost }

    private enum CodingKeys: String, CodingKey { case missCost, reserveCost, launchDelay, interval }

    /// Decodes and validates as `init` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(missCost: c.decode(Double.self, forKey: .missCost),
                      reserveCost: c.decode(Double.self, forKey: .reserveCost),
                      launchDelay: c.decode(Double.self, forKey: .launchDelay),
                      interval: c.decodeIfPresent(Double.self, forKey: .interval) ?? 300)
    }
}
