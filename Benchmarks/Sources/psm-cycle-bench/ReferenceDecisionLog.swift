import Actuator
import Foundation
import MetricStore
import Scaling

/// `DecisionLog.record` as it was before the hand-written encoder: Foundation's `JSONEncoder`
/// with sorted keys, the same rows in one transaction (the "before" of docs/benchmarks.md).
enum ReferenceDecisionLog {
    static func record(_ decisions: [SizingDecision], store: MetricStore) throws {
        try store.insert(decisions: try rows(decisions))
    }

    /// The rows `record` inserts.
    static func rows(_ decisions: [SizingDecision]) throws -> [(group: String, time: Int64, json: String)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        var rows: [(group: String, time: Int64, json: String)] = []
        rows.reserveCapacity(decisions.count)
        for d in decisions {
            rows.append((d.group, d.time, String(decoding: try encoder.encode(d), as: UTF8.self)))
        }
        return rows
    }
}
