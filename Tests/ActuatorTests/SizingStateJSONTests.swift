@testable import Actuator
import Calibration
import Foundation
import MetricStore
@testable import Scaling
import Testing

/// The sizing-state document written by `DecisionJSON.encodeSizingState` reads back, through the
/// restart path's own decoder (`ActuatorRuntime.decodedSizing`), as exactly what was written.
@Suite struct SizingStateJSONTests {
    /// States that reach every field: ACI levels moved by hits and misses, hysteresis stretches
    /// with and without a start, the three kinds of quantile last sized at, and none.
    static func states() throws -> [String: GroupSizingState] {
        var result: [String: GroupSizingState] = [:]
        let names = ["web", "g10", "g9", "db/primary", "quote\"d\\name", "ünïcødé", "tab\there", ""]
        let sized: [SizingQuantile?] = [nil, .finite(value: 12.5, level: 0.9, extrapolated: false),
                                        .finite(value: 1e-7, level: 0.123456789, extrapolated: true),
                                        .unboundedAbove, .unboundedBelow]
        for (i, name) in names.enumerated() {
            var aci = try AdaptiveConformal(targetLevel: 0.8 + 0.01 * Double(i), learningRate: 0.005 * Double(i + 1))
            for k in 0..<(3 * i) { aci.update(miss: k % 5 == 0) }   // α stays in [−γ, 1 + γ], as in service
            result[name] = GroupSizingState(aci: aci, hysteresis: HysteresisState(lowerSince: i % 2 == 0 ? nil : 1_700_000_000 + Int64(i)),
                                            lastSized: sized[i % sized.count])
        }
        return result
    }

    static func entries() -> [GroupCostReport] {
        var ledger = CostLedger(costs: try! CostModel(missCost: 5, reserveCost: 0.25, launchDelay: 180))
        ledger.recordReserve(group: "web", shadows: 3, unit: 2.5, intervals: 0.3)
        ledger.recordReserve(group: "db/primary", shadows: 1, unit: 1, intervals: 7)
        ledger.recordActivation(group: "web", servedUnits: 1.75)
        // A non-finite value, written as the log's "+inf" string.
        return ledger.costReport() + [GroupCostReport(group: "quote\"d\\name", shadowIntervals: 0.1, shadowUnitIntervals: 1e300,
                                                      reserveCost: 1.0 / 3, activations: 2, servedUnits: 7, avoidedMissValue: .infinity)]
    }

    @Test func theDocumentReadsBackAsWritten() throws {
        let states = try Self.states()
        let entries = Self.entries()
        #expect(entries.map(\.group) == ["db/primary", "web", "quote\"d\\name"] && entries[1].activations == 1)
        let bounds = ["web": try GroupBounds(minimum: 1, maximum: 4), "g9": try GroupBounds(maximum: 0)]
        let json = DecisionJSON.encodeSizingState(groups: states, windowStart: -42, entries: entries, bounds: bounds)
        let stored = StoredState(name: "sizing", version: SizingStateDocument.version, time: 10, json: json)
        guard case .success(let document) = ActuatorRuntime.decodedSizing(stored, now: 10) else {
            Issue.record("does not decode: \(json)")
            return
        }
        #expect(document.groups == states)
        #expect(document.costLoop == CostLoopState(windowStart: -42, entries: entries, bounds: bounds))
        // Sorted keys: the same input writes the same bytes.
        #expect(DecisionJSON.encodeSizingState(groups: states, windowStart: -42, entries: entries, bounds: bounds) == json)
    }

    @Test func anEmptyDocumentReadsBack() throws {
        let json = DecisionJSON.encodeSizingState(groups: [:], windowStart: 0, entries: [], bounds: [:])
        #expect(json == #"{"cost_loop":{"bounds":{},"entries":[],"window_start":0},"groups":{}}"#)
        let stored = StoredState(name: "sizing", version: SizingStateDocument.version, time: 0, json: json)
        guard case .success(let document) = ActuatorRuntime.decodedSizing(stored, now: 0) else {
            Issue.record("does not decode: \(json)")
            return
        }
        #expect(document.groups.isEmpty && document.costLoop.entries.isEmpty)
    }
}
