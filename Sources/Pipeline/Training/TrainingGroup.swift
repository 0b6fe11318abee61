import Crypto
import Foundation
import Forecasting
import TimeSeries

/// The series of one VM group: trained together, published as one model.
public struct TrainingGroup: Sendable {
    package var name: String
    public var inputs: [ForecastInput]

    public init(name: String, inputs: [ForecastInput]) {
        self.name = name
        self.inputs = inputs
    }

    /// Groups series by their `group` (a series without one is its own group, named by its id),
    /// in order of first appearance.
    package static func grouping(_ inputs: [ForecastInput]) -> [TrainingGroup] {
        var order: [String] = [], members: [String: [ForecastInput]] = [:]
        for input in inputs {
            let name = input.series.group ?? input.series.id
            if members[name] == nil { order.append(name) }
            members[name, default: []].append(input)
        }
        return order.map { TrainingGroup(name: $0, inputs: members[$0] ?? []) }
    }

    /// SHA-256 over every series' id, grid and values (IEEE 754 bit patterns, little-endian), so
    /// that a retrain can tell whether it saw new data.
    package var fingerprint: String {
        var hasher = SHA256()
        for input in inputs.sorted(by: { $0.series.id < $1.series.id }) {
            let s = input.series
            hasher.update(data: Data((s.id + "\u{0}").utf8))
            for v in [s.grid.start, s.grid.step, Int64(s.grid.count)] {
                withUnsafeBytes(of: v.littleEndian) { hasher.update(bufferPointer: $0) }
            }
            for v in s.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) } }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
