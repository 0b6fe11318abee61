import Foundation
import Synchronization

/// Where the actuator reads the time: injected, so cooldowns, hysteresis and schedules are
/// testable without sleeping (as hummingbird's `MemoryPersistDriver` is generic over `Clock`).
public protocol WallClock: Sendable {
    /// Now, in Unix seconds (UTC).
    func now() -> Int64
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// A clock that only moves when told to (tests, trace replay).
public final class ManualWallClock: WallClock {
    private let current: Mutex<Int64>
    public init(_ start: Int64) { current = Mutex(start) }
    public func now() -> Int64 { current.withLock { $0 } }
    /// Moves the clock forward by `seconds` (never backwards).
    public func advance(by seconds: Int64) {
        precondition(seconds >= 0, "a manual clock only moves forward")
        current.withLock { $0 += seconds }
    }
}
