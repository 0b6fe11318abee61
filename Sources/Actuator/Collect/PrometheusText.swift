/// One sample line of the Prometheus text exposition format (version 0.0.4):
/// `name{label="value",…} value [timestamp]`.
package struct ExpositionSample: Sendable, Hashable {
    package var name: String
    package var labels: [String: String]
    package var value: Double
    /// Milliseconds since the epoch, when the line carries one.
    package var timestamp: Int64?

    package init(name: String, labels: [String: String] = [:], value: Double, timestamp: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// `name{a="x",b="y"}` with the labels sorted: how a series is named in problems (and keyed).
    package var seriesName: String { PrometheusText.seriesName(name, labels) }
}

/// What an exposition says: its samples, and the type each `# TYPE` line gives a metric family.
package struct Exposition: Sendable, Hashable {
    package var samples: [ExpositionSample] = []
    /// Metric family → `counter`, `gauge`, `histogram`, `summary` or `untyped`.
    package var types: [String: String] = [:]
}

/// A line that is not the text exposition format: the whole exposition is refused, as Prometheus
/// itself refuses a scrape that does not parse.
package struct ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    package var line: Int
    package var message: String
    package var description: String { "line \(line): \(message)" }
}

/// A parser of the Prometheus text exposition format, version 0.0.4 (what client libraries —
/// swift-prometheus among them — serve on `/metrics`): blank lines; `#` comments, `# HELP` and
/// `# TYPE` lines; sample lines `name{label="value",…} value [timestamp]` with label values escaped
/// as `\"`, `\\` and `\n`, and values such as `1.5e3`, `+Inf`, `-Inf` and `NaN`.
package enum PrometheusText {
    static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    package static func parse(_ text: String) throws(ExpositionError) -> Exposition {
        try parse(Array(text.utf8))
    }

    package static func parse(_ bytes: [UInt8]) throws(ExpositionError) -> Exposition {
        var exposition = Exposition()
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }  // CRLF
            var line = Line(bytes: bytes, position: start, end: lineEnd, number: lineNumber)
            try line.read(into: &exposition)
            start = end + 1
        }
        return exposition
    }

    static func seriesName(_ name: String, _ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return name }
        let inside = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",")
        return "\(name){\(inside)}"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (colons only in metric names).
    package static func isMetricName(_ s: String) -> Bool { isName(Array(s.utf8), colons: true) }
    /// `[a-zA-Z_][a-zA-Z0-9_]*`.
    package static func isLabelName(_ s: String) -> Bool { isName(Array(s.utf8), colons: false) }

    static func isName(_ b: [UInt8], colons: Bool) -> Bool {
        guard let first = b.first, isNameStart(first, colons: colons) else { return false }
        return b.dropFirst().allSatisfy { isNameByte($0, colons: colons) }
    }

    static func isNameStart(_ c: UInt8, colons: Bool) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (colons && c == 0x3A)
    }

    static func isNameByte(_ c: UInt8, colons: Bool) -> Bool { isNameStart(c, colons: colons) || (c >= 0x30 && c <= 0x39) }

    /// One line, read left to right.
    struct Line {
        let bytes: [UInt8]
        var position: Int
        let end: Int
        let number: Int

        func fail(_ message: String) -> ExpositionError { ExpositionError(line: number, message: message) }

        var atEnd: Bool { position >= end }
        var current: UInt8? { position < end ? bytes[position] : nil }

        mutating func skipBlanks() {
            while position < end, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
        }

        /// The bytes up to the next blank (or the end of the line).
        mutating func token() -> String {
            let from = position
            while position < end, bytes[position] != 0x20, bytes[position] != 0x09 { position += 1 }
            return String(decoding: bytes[from..<position], as: UTF8.self)
        }

        mutating func name(colons: Bool) -> String? {
            guard let c = current, PrometheusText.isNameStart(c, colons: colons) else { return nil }
            let from = position
            position += 1
            while position < end, PrometheusText.isNameByte(bytes[position], colons: colons) { position += 1 }
            return String(decoding: bytes[from..<position], as: UTF8.self)
        }

        /// What is left of the line, shown in a message (at most 40 bytes).
        var rest: String {
            let text = String(decoding: bytes[position..<min(end, position + 40)], as: UTF8.self)
            return end - position > 40 ? text + "…" : text
        }

        mutating func read(into exposition: inout Exposition) throws(ExpositionError) {
            skipBlanks()
            guard let first = current else { return }  // a blank line
            if first == 0x23 { try comment(into: &exposition); return }
            guard let metric = name(colons: true) else {
                throw fail("expected a metric name, a comment or a blank line, got \"\(rest)\"")
            }
            let before = position
            skipBlanks()
            var labels: [String: String] = [:]
            if current == 0x7B { labels = try labelSet() }
            skipBlanks()
            guard position > before || atEnd else { throw fail("expected a blank before the value of \(metric), got \"\(rest)\"") }
            guard !atEnd else { throw fail("\(metric) has no value") }
            let valueText = token()
            guard let value = PrometheusText.value(valueText) else {
                throw fail("\(metric): \"\(valueText)\" is not a number (expected e.g. 12, 1.5e3, +Inf, -Inf or NaN)")
            }
            skipBlanks()
            var timestamp: Int64?
            if !atEnd {
                let text = token()
                guard let t = Int64(text) else { throw fail("\(metric): timestamp \"\(text)\" is not an integer (milliseconds)") }
                timestamp = t
                skipBlanks()
                guard atEnd else { throw fail("\(metric): unexpected \"\(rest)\" after the timestamp") }
            }
            exposition.samples.append(ExpositionSample(name: metric, labels: labels, value: value, timestamp: timestamp))
        }

        /// `# HELP name text`, `# TYPE name type`, or any other comment.
        mutating func comment(into exposition: inout Exposition) throws(ExpositionError) {
            position += 1
            skipBlanks()
            let keyword = token()
            guard keyword == "HELP" || keyword == "TYPE" else { return }
            skipBlanks()
            guard let family = name(colons: true) else { throw fail("# \(keyword) needs a metric name, got \"\(rest)\"") }
            guard keyword == "TYPE" else { return }  // the help text may hold anything
            skipBlanks()
            let type = token()
            guard PrometheusText.types.contains(type) else {
                throw fail("# TYPE \(family): unknown type \"\(type)\" (expected counter, gauge, histogram, summary or untyped)")
            }
            skipBlanks()
            guard atEnd else { throw fail("# TYPE \(family) \(type): unexpected \"\(rest)\"") }
            exposition.types[family] = type
        }

        /// `{name="value",…}` (a trailing comma allowed), starting at the brace.
        mutating func labelSet() throws(ExpositionError) -> [String: String] {
            position += 1
            var labels: [String: String] = [:]
            while true {
                skipBlanks()
                if current == 0x7D { position += 1; return labels }
                guard let label = name(colons: false) else {
                    throw atEnd ? fail("unterminated label set (no \"}\")") : fail("expected a label name, got \"\(rest)\"")
                }
                skipBlanks()
                guard current == 0x3D else { throw fail("expected \"=\" after label \(label), got \"\(rest)\"") }
                position += 1
                skipBlanks()
                guard current == 0x22 else { throw fail("label \(label): expected a quoted value, got \"\(rest)\"") }
                position += 1
                let value = try quoted(label)
                guard labels.updateValue(value, forKey: label) == nil else { throw fail("label \(label) given twice") }
                skipBlanks()
                if current == 0x2C { position += 1; continue }
                if current == 0x7D { position += 1; return labels }
                throw atEnd ? fail("unterminated label set (no \"}\")") : fail("expected \",\" or \"}\" after label \(label), got \"\(rest)\"")
            }
        }

        /// A label value after its opening quote, with `\\`, `\"` and `\n` unescaped.
        mutating func quoted(_ label: String) throws(ExpositionError) -> String {
            var out: [UInt8] = []
            while position < end {
                let c = bytes[position]
                position += 1
                switch c {
                case 0x22: return String(decoding: out, as: UTF8.self)
                case 0x5C:
                    guard position < end else { break }
                    let e = bytes[position]
                    position += 1
                    switch e {
                    case 0x5C: out.append(0x5C)
                    case 0x22: out.append(0x22)
                    case 0x6E: out.append(0x0A)
                    default:
                        throw fail("label \(label): invalid escape \"\\\(String(decoding: [e], as: UTF8.self))\" (only \\\\, \\\" and \\n)")
                    }
                default: out.append(c)
                }
            }
            throw fail("label \(label): unterminated value (no closing quote)")
        }
    }

    /// A sample value: a decimal or exponent number, `+Inf`, `-Inf`, `Inf` or `NaN` (any case).
    static func value(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        default: break
        }
        // Only plain decimal syntax: strtod would also take hex floats, "infinity" and "nan(…)".
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }),
              let d = Double(text) else { return nil }
        return d
    }
}
