/// How a series' positions are labelled: by UTC time or by a plain step index.
public enum TimeAxis: String, Sendable, Hashable, Codable {
    /// Positions are Unix times in seconds (UTC).
    case time
    /// Positions are integer step indices (input without timestamps).
    case index
}

/// A regular grid of positions: `start`, `start + step`, … (`count` of them).
///
/// On a `.time` axis positions are Unix seconds (UTC) and `step` is the sampling interval in
/// seconds; on an `.index` axis positions are integer step indices and `step` is their stride.
public struct TimeGrid: Sendable, Hashable, Codable {
    public var axis: TimeAxis
    public var start: Int64
    public var step: Int64
    public var count: Int

    public init(axis: TimeAxis, start: Int64, step: Int64, count: Int) {
        precondition(step > 0, "a grid step must be positive")
        precondition(count >= 0, "a grid count cannot be negative")
        self.axis = axis
        self.start = start
        self.step = step
        self.count = count
    }

    /// The position of element `i` (may lie past the end, e.g. for forecast steps).
    @inlinable
    public func position(at i: Int) -> Int64 { start + Int64(i) * step }

    /// The last position, or nil for an empty grid.
    public var end: Int64? { count == 0 ? nil : position(at: count - 1) }

    /// The element index of `position` if it lies exactly on the grid (inside or not).
    public func offset(of position: Int64) -> Int? {
        let d = position - start
        guard d % step == 0 else { return nil }
        return Int(d / step)
    }

    /// The grid continuing after this one for `horizon` steps.
    public func future(_ horizon: Int) -> TimeGrid {
        TimeGrid(axis: axis, start: position(at: count), step: step, count: horizon)
    }

    /// How long the grid spans, in axis units (seconds or steps), first to last position.
    public var span: Int64 { count == 0 ? 0 : Int64(count - 1) * step }
}
