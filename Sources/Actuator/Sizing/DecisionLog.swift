import Foundation
import MetricStore
import Scaling

/// Sizing decisions kept in the metric store, for `psm-actuator explain GROUP` and the API.
public struct DecisionLog: Sendable {
    public let store: any ActuatorStore

    public init(store: any ActuatorStore) { self.store = store }

    /// Stores `decisions` (with their explanation lines) and the state documents `states` in one transaction.
    ///
    /// The JSON is written by `DecisionJSON` (the bytes `JSONEncoder` with sorted keys writes, in
    /// a fraction of the time: docs/benchmarks.md, "Actuator decision cycle").
    /// `fences`: the leases of the groups decided (several actuators); a stale one refuses the whole write.
    public func record(_ decisions: [SizingDecision], states: [StoredState] = [],
                       fences: [LeaseFence] = []) throws(MetricStoreError) {
        var rows: [(group: String, time: Int64, json: String)] = []
        rows.reserveCapacity(decisions.count)
        for d in decisions {
            rows.append((d.group, d.time, DecisionJSON.encode(d)))
        }
        try store.insert(decisions: rows, states: states, fences: fences)
    }

    /// The latest `limit` decisions of `group`, newest first; rows that no longer decode are skipped.
    public func decisions(group: String, limit: Int = 1) throws(MetricStoreError) -> [SizingDecision] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = Self.decodedFloats
        return try store.decisions(group: group, limit: limit).compactMap { row in
            try? decoder.decode(SizingDecision.self, from: Data(row.json.utf8))
        }
    }

    static let floats = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
    static let decodedFloats = JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
        positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")

    /// Why `group`'s pool has its size: the latest decision's explanation, nil when none is stored.
    package func explain(group: String) throws(MetricStoreError) -> [String]? {
        try decisions(group: group, limit: 1).first?.explanation
    }
}
