/// Integrates what a group's demand and capacity add up to: unserved demand, violation time, and
/// the time to capacity after each rise.
///
/// Demand is constant over an interval; capacity is constant between events. Each piece
/// [a, b) adds max(0, d − C) · (b − a) unit·seconds of unserved demand and, when d exceeds
/// `slo` × C, b − a seconds of violation. Missing demand (NaN) adds neither. A rise (opened by
/// the simulator at an interval's start) closes at the start of the first piece whose capacity
/// reaches its demand; rises still open at the end are censored there.
package struct Meter {
    package let slo: Double
    package private(set) var unservedUnitSeconds = 0.0
    package private(set) var violationSeconds = 0.0
    /// Seconds with known demand.
    package private(set) var observedSeconds = 0.0
    private var open: [(start: Double, level: Double)] = []
    package private(set) var timesToCapacity: [Double] = []
    package private(set) var rises = 0
    package private(set) var censored = 0

    package init(slo: Double) { self.slo = slo }

    /// Seconds rounded to the microsecond: times late in a long trace carry rounding noise
    /// (60.043000000063 for 60.043) that no measurement resolves.
    private static func microseconds(_ s: Double) -> Double { (s * 1e6).rounded() / 1e6 }

    /// Within rounding of `level` or above.
    @inline(__always)
    private static func reaches(_ capacity: Double, _ level: Double) -> Bool {
        capacity >= level - 1e-9 * max(1, abs(level))
    }

    /// Demand rose at `time` to `level`: measure how long until capacity reaches it.
    package mutating func openRise(at time: Double, level: Double) {
        rises += 1
        open.append((time, level))
    }

    package mutating func piece(from a: Double, to b: Double, capacity: Double, demand: Double) {
        if !open.isEmpty {
            var kept: [(start: Double, level: Double)] = []
            for r in open {
                if Self.reaches(capacity, r.level) { timesToCapacity.append(Self.microseconds(a - r.start)) } else { kept.append(r) }
            }
            open = kept
        }
        guard demand.isFinite, b > a else { return }
        let dt = b - a
        observedSeconds += dt
        if !Self.reaches(capacity, demand) { unservedUnitSeconds += (demand - capacity) * dt }
        if !Self.reaches(slo * capacity, demand) { violationSeconds += dt }
    }

    /// Closes the books at `end`: open rises count with their time so far.
    package mutating func finish(at end: Double) {
        for r in open { timesToCapacity.append(Self.microseconds(end - r.start)) }
        censored += open.count
        open = []
    }
}
