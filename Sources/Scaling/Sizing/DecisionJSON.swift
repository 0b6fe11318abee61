import Calibration

/// Writes a `SizingDecision` as the decision log stores it (and, in DecisionJSON+SizingState, the
/// sizing-state document stored beside it): the bytes Foundation's `JSONEncoder`
/// produces with sorted keys and the log's non-finite strings ("nan", "+inf", "-inf"), written
/// directly instead of through `Encodable`'s containers.
///
/// Why: the log stores every group's decision every cycle, and `JSONEncoder` took ≈ 26 µs per
/// decision (a quarter of a second per cycle of 10,000 groups); this takes a few. DecisionLogTests
/// compare the output byte for byte with `JSONEncoder` on decisions that reach every branch, so a
/// field added to a step and not written here fails a test rather than silently vanishing.
package struct DecisionJSON {
    var out: [UInt8] = []

    /// The decision's JSON, explanation lines included.
    package static func encode(_ d: SizingDecision) -> String {
        var w = DecisionJSON()
        w.out.reserveCapacity(1536)
        w.decision(d)
        return String(decoding: w.out, as: UTF8.self)
    }

    private mutating func decision(_ d: SizingDecision) {
        var o = Object(); begin()
        key("afterBounds", &o); int(d.afterBounds)
        if let a = d.ahead { key("ahead", &o); ahead(a) }
        key("bounds", &o); bounds(d.bounds)
        key("budget", &o); budget(d.budget)
        key("capacity", &o); capacity(d.capacity)
        key("currentPool", &o); int(d.currentPool)
        if let diagnostic = d.diagnostic { key("diagnostic", &o); string(diagnostic) }
        key("explanation", &o)
        out.append(UInt8(ascii: "["))
        for (i, line) in d.explanation.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            string(line)
        }
        out.append(UInt8(ascii: "]"))
        key("final", &o); int(d.final)
        key("group", &o); string(d.group)
        key("hysteresis", &o); hysteresis(d.hysteresis)
        if let m = d.memory { key("memory", &o); memory(m) }
        if let p = d.park { key("park", &o); park(p) }
        key("quantile", &o); quantile(d.quantile)
        key("rawTarget", &o); int(d.rawTarget)
        key("running", &o); double(d.running)
        if let source = d.runningSource { key("runningSource", &o); runningSource(source) }
        if let s = d.shortfall { key("shortfall", &o); shortfall(s) }
        key("target", &o); target(d.target)
        key("time", &o); int(d.time)
        key("unit", &o); double(d.unit)
        end()
    }

    mutating func bounds(_ b: GroupBounds) {
        var o = Object(); begin()
        key("maximum", &o); int(b.maximum)
        key("minimum", &o); int(b.minimum)
        end()
    }

    private mutating func budget(_ b: BudgetStep) {
        var o = Object(); begin()
        key("after", &o); int(b.after)
        key("before", &o); int(b.before)
        if let v = b.budget { key("budget", &o); int(v) }
        if let v = b.cutoffValue { key("cutoffValue", &o); double(v) }
        if let v = b.firstCutValue { key("firstCutValue", &o); double(v) }
        key("requestedTotal", &o); int(b.requestedTotal)
        end()
    }

    private mutating func capacity(_ c: CapacityStep) {
        var o = Object(); begin()
        key("after", &o); int(c.after)
        key("before", &o); int(c.before)
        key("free", &o); double(c.free)
        key("neededTotal", &o); double(c.neededTotal)
        end()
    }

    private mutating func runningSource(_ r: RunningSource) {
        var o = Object(); begin()
        key("activeShadows", &o); int(r.activeShadows)
        key("configured", &o); bool(r.configured)
        if let at = r.measuredAt { key("measuredAt", &o); int(at) }
        key("members", &o); int(r.members)
        key("onDemand", &o); double(r.onDemand)
        key("regular", &o); double(r.regular)
        key("shadowUnits", &o); double(r.shadowUnits)
        end()
    }

    private mutating func ahead(_ a: AheadLevel) {
        var o = Object(); begin()
        key("ceiling", &o); double(a.ceiling)
        key("costLevel", &o); double(a.costLevel)
        key("floor", &o); double(a.floor)
        key("interval", &o); double(a.interval)
        key("level", &o); double(a.level)
        key("missCost", &o); double(a.missCost)
        key("reserveCost", &o); double(a.reserveCost)
        key("runCost", &o); double(a.runCost)
        key("wait", &o); double(a.wait)
        end()
    }

    private mutating func park(_ p: ParkChoice) {
        var o = Object(); begin()
        key("baselineMemoryGiB", &o); double(p.baselineMemoryGiB)
        if let v = p.expectedServed { key("expectedServed", &o); double(v) }
        key("holdCost", &o); double(p.holdCost)
        key("latencies", &o)
        var l = Object(); begin()
        key("restore", &l); double(p.latencies.restore)
        key("restoreSamples", &l); int(p.latencies.restoreSamples)
        key("resume", &l); double(p.latencies.resume)
        key("resumeSamples", &l); int(p.latencies.resumeSamples)
        end()
        key("memoryCost", &o); double(p.memoryCost)
        key("memoryCostConfigured", &o); bool(p.memoryCostConfigured)
        key("missCost", &o); double(p.missCost)
        key("mode", &o); string(p.mode.rawValue)
        if let v = p.note { key("note", &o); string(v) }
        key("shadows", &o); int(p.shadows)
        end()
    }

    private mutating func hysteresis(_ h: HysteresisStep) {
        var o = Object(); begin()
        key("action", &o); string(h.action.rawValue)
        key("cooldown", &o); int(h.cooldown)
        key("current", &o); int(h.current)
        if let v = h.lowerFor { key("lowerFor", &o); int(v) }
        key("result", &o); int(h.result)
        key("target", &o); int(h.target)
        end()
    }

    private mutating func quantile(_ q: DemandQuantile) {
        var o = Object(); begin()
        key("extrapolated", &o); bool(q.extrapolated)
        key("kind", &o); string(q.kind.rawValue)
        if let v = q.largestStep { key("largestStep", &o); double(v) }
        key("leadTime", &o); int(q.leadTime)
        key("level", &o); double(q.level)
        if let s = q.sizedAt { key("sizedAt", &o); sizingQuantile(s) }
        if let v = q.step { key("step", &o); int(v) }
        if let v = q.value { key("value", &o); double(v) }
        if let w = q.window { key("window", &o); string(w.rawValue) }
        key("windowSteps", &o); int(q.windowSteps)
        end()
    }

    /// Synthesised `Codable` of an enum: the case name → an object of its labelled values.
    mutating func sizingQuantile(_ s: SizingQuantile) {
        var o = Object(); begin()
        switch s {
        case .finite(let value, let level, let extrapolated):
            key("finite", &o)
            var inner = Object(); begin()
            key("extrapolated", &inner); bool(extrapolated)
            key("level", &inner); double(level)
            key("value", &inner); double(value)
            end()
        case .unboundedAbove:
            key("unboundedAbove", &o); begin(); end()
        case .unboundedBelow:
            key("unboundedBelow", &o); begin(); end()
        }
        end()
    }

    private mutating func memory(_ m: MemorySizing) {
        var o = Object(); begin()
        key("binding", &o); string(m.binding.rawValue)
        key("quantile", &o); quantile(m.quantile)
        if let s = m.shortfall { key("shortfall", &o); shortfall(s) }
        end()
    }

    private mutating func shortfall(_ s: Shortfall) {
        var o = Object(); begin()
        key("quantile", &o); double(s.quantile)
        key("running", &o); double(s.running)
        key("shadows", &o); int(s.shadows)
        key("shortUnits", &o); double(s.shortUnits)
        key("unit", &o); double(s.unit)
        end()
    }

    private mutating func target(_ t: NewsvendorTarget) {
        var o = Object(); begin()
        key("correctedLevel", &o); double(t.correctedLevel)
        key("criticalRatio", &o); double(t.criticalRatio)
        key("missCost", &o); double(t.missCost)
        key("observations", &o); int(t.observations)
        if let v = t.observedCoverage { key("observedCoverage", &o); double(v) }
        key("reserveCost", &o); double(t.reserveCost)
        end()
    }

    // MARK: Scalars

    /// Whether a key has been written into the current object (a comma goes before the next).
    struct Object { var empty = true }

    mutating func begin() { out.append(UInt8(ascii: "{")) }
    mutating func end() { out.append(UInt8(ascii: "}")) }

    mutating func key(_ name: StaticString, _ object: inout Object) {
        if !object.empty { out.append(UInt8(ascii: ",")) }
        object.empty = false
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    mutating func int<T: BinaryInteger>(_ v: T) { out.append(contentsOf: String(v).utf8) }

    mutating func bool(_ v: Bool) { out.append(contentsOf: (v ? "true" : "false").utf8) }

    /// As `JSONEncoder` writes a Double: its shortest round-trip description without a trailing
    /// ".0"; non-finite values as the log's strings.
    mutating func double(_ v: Double) {
        guard v.isFinite else {
            string(v.isNaN ? "nan" : (v > 0 ? "+inf" : "-inf"))
            return
        }
        let text = v.description
        var utf8 = text.utf8[...]
        if utf8.count >= 2, utf8.suffix(2).elementsEqual(".0".utf8) { utf8 = utf8.dropLast(2) }
        out.append(contentsOf: utf8)
    }

    /// A JSON string with `JSONEncoder`'s escapes (it escapes "/" too); other non-ASCII text as is.
    /// Runs of bytes that need no escape are copied at once.
    mutating func string(_ s: String) {
        var text = s
        text.withUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
            var run = 0
            for (i, byte) in bytes.enumerated() {
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\""): escape = #"\""#
                case UInt8(ascii: "\\"): escape = #"\\"#
                case UInt8(ascii: "/"): escape = #"\/"#
                case 0x0A: escape = #"\n"#
                case 0x0D: escape = #"\r"#
                case 0x09: escape = #"\t"#
                case 0x08: escape = #"\b"#
                case 0x0C: escape = #"\f"#
                case 0..<0x20: escape = #"\u00"#
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                escape.withUTF8Buffer { out.append(contentsOf: $0) }
                if byte < 0x20, escape.utf8CodeUnitCount == 4 {
                    out.append(Self.hex[Int(byte >> 4)])
                    out.append(Self.hex[Int(byte & 0xF)])
                }
                run = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
            out.append(UInt8(ascii: "\""))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
