import Calibration

extension DecisionJSON {
    /// The sizing-state document the actuator stores in every cycle's decision transaction
    /// (`actuator_state` row `sizing`, docs/actuator.md "Restarts and crashes"): each group's
    /// `GroupSizingState` and the cost loop's window, as `JSONEncoder` would encode them (the same
    /// keys, the log's non-finite strings), written directly. Object keys are sorted, group names
    /// by `String` order.
    ///
    /// Why: with `JSONEncoder` the document took ~100 ms of a 10,000-group cycle's CPU
    /// (docs/benchmarks.md, "The whole actuator cycle"). `SizingStateJSONTests` decode the output
    /// with `JSONDecoder` and compare it with what was encoded, on states that reach every field.
    package static func encodeSizingState(groups: [String: GroupSizingState], windowStart: Int64,
                                          entries: [GroupCostReport], bounds: [String: GroupBounds]) -> String {
        var w = DecisionJSON()
        w.out.reserveCapacity(256 * (groups.count + entries.count) + 64)
        var o = Object(); w.begin()
        w.key("cost_loop", &o)
        var c = Object(); w.begin()
        w.key("bounds", &c)
        var b = Object(); w.begin()
        for name in bounds.keys.sorted() {
            w.key(dynamic: name, &b)
            w.bounds(bounds[name]!)
        }
        w.end()
        w.key("entries", &c)
        w.out.append(UInt8(ascii: "["))
        for (i, entry) in entries.enumerated() {
            if i > 0 { w.out.append(UInt8(ascii: ",")) }
            w.costReport(entry)
        }
        w.out.append(UInt8(ascii: "]"))
        w.key("window_start", &c); w.int(windowStart)
        w.end()
        w.key("groups", &o)
        var g = Object(); w.begin()
        for name in groups.keys.sorted() {
            w.key(dynamic: name, &g)
            w.groupState(groups[name]!)
        }
        w.end()
        w.end()
        return String(decoding: w.out, as: UTF8.self)
    }

    private mutating func groupState(_ s: GroupSizingState) {
        var o = Object(); begin()
        key("aci", &o)
        var a = Object(); begin()
        key("alpha", &a); double(s.aci.alpha)
        key("learningRate", &a); double(s.aci.learningRate)
        key("misses", &a); int(s.aci.misses)
        key("observations", &a); int(s.aci.observations)
        key("targetMiscoverage", &a); double(s.aci.targetMiscoverage)
        end()
        key("hysteresis", &o)
        var h = Object(); begin()
        if let since = s.hysteresis.lowerSince { key("lowerSince", &h); int(since) }
        end()
        if let sized = s.lastSized { key("lastSized", &o); sizingQuantile(sized) }
        end()
    }

    private mutating func costReport(_ r: GroupCostReport) {
        var o = Object(); begin()
        key("activations", &o); int(r.activations)
        key("avoidedMissValue", &o); double(r.avoidedMissValue)
        key("group", &o); string(r.group)
        key("reserveCost", &o); double(r.reserveCost)
        key("servedUnits", &o); double(r.servedUnits)
        key("shadowIntervals", &o); double(r.shadowIntervals)
        key("shadowUnitIntervals", &o); double(r.shadowUnitIntervals)
        end()
    }

    /// An object key that is data (a group's name), escaped as a JSON string.
    private mutating func key(dynamic name: String, _ object: inout Object) {
        if !object.empty { out.append(UInt8(ascii: ",")) }
        object.empty = false
        string(name)
        out.append(UInt8(ascii: ":"))
    }
}
