/// Step 4: a group's configured minimum and maximum number of shadows.
public struct GroupBounds: Sendable, Hashable, Codable {
    public var minimum: Int
    public var maximum: Int

    public init(minimum: Int = 0, maximum: Int) throws(SizingError) {
        guard minimum >= 0, minimum <= maximum else {
            throw SizingError(.invalidBounds, "group bounds need 0 ≤ minimum ≤ maximum, got \(minimum)…\(maximum)")
        }
        self.minimum = minimum
        self.maximum = maximum
    }

    /// `count` clipped to minimum…maximum.
    package func clip(_ count: Int) -> Int { min(max(count, minimum), maximum) }

    private enum CodingKeys: String, CodingKey { case minimum, maximum }

    /// Decodes and validates as `init` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(minimum: c.decode(Int.self, forKey: .minimum), maximum: c.decode(Int.self, forKey: .maximum))
    }
}

/// How reluctantly a pool shrinks.
///
/// Growing is immediate (a late shadow is a miss). Shrinking waits until the target has stayed
/// below the pool for `cooldown` seconds without interruption, then removes at most
/// `maximumDecrease` shadows per decision (one decision per interval), so a target that
/// oscillates faster than the cooldown never makes the pool follow it down and back up.
public struct HysteresisPolicy: Sendable, Hashable, Codable {
    /// Seconds the target must stay below the pool before it shrinks (default 900 = 3 five-minute intervals).
    public var cooldown: Int64
    /// Most shadows removed by one decision (default 1).
    package var maximumDecrease: Int

    public init(cooldown: Int64 = 900, maximumDecrease: Int = 1) throws(SizingError) {
        guard cooldown >= 0, maximumDecrease >= 1 else {
            throw SizingError(.invalidPolicy, "hysteresis needs cooldown ≥ 0 and maximum decrease ≥ 1, got \(cooldown) s, \(maximumDecrease)")
        }
        self.cooldown = cooldown
        self.maximumDecrease = maximumDecrease
    }
}

/// What a group's hysteresis remembers between decisions.
public struct HysteresisState: Sendable, Hashable, Codable {
    /// When the target first went below the pool in the current uninterrupted stretch.
    package var lowerSince: Int64?
    public init(lowerSince: Int64? = nil) { self.lowerSince = lowerSince }
}

/// Step 5: the target after hysteresis.
package struct HysteresisStep: Sendable, Hashable, Codable {
    /// Why the result is what it is.
    package enum Action: String, Sendable, Hashable, Codable {
        case scaleUp, steady, holding, scaleDown
    }

    public var target: Int
    public var current: Int
    public var result: Int
    public var action: Action
    /// Seconds the target has been lower (holding / scaleDown) and the cooldown it must reach.
    package var lowerFor: Int64?
    public var cooldown: Int64

    /// Applies `policy` to move the pool from `current` towards `target` at time `now`.
    public init(target: Int, current: Int, now: Int64, policy: HysteresisPolicy, state: inout HysteresisState) {
        self.target = target
        self.current = current
        cooldown = policy.cooldown
        if target >= current {
            state.lowerSince = nil
            result = target
            action = target > current ? .scaleUp : .steady
            return
        }
        // A clock that went backwards restarts the stretch rather than shrinking early.
        if let since = state.lowerSince, since <= now {} else { state.lowerSince = now }
        let elapsed = now - (state.lowerSince ?? now)
        lowerFor = elapsed
        if elapsed >= policy.cooldown {
            result = max(target, current - policy.maximumDecrease)
            action = .scaleDown
        } else {
            result = current
            action = .holding
        }
    }
}
