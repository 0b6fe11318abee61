#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TimeSeries

/// The outcome of reading a numeric field.
enum NumberField: Equatable {
    case value(Double)
    case empty
    case nonNumeric
    case nonFinite
}

/// The outcome of reading a timestamp field.
enum TimeField: Equatable {
    case position(Int64, TimeKind)
    case empty
    case bad
}

/// How a timestamp was written; readers keep one kind (and one zone style) per file.
enum TimeKind: UInt8 {
    case integer = 0
    case isoNaive = 1
    case isoOffset = 2
    /// ISO with a zero offset (`Z`, `+00:00`): agrees with naive-as-UTC.
    case isoUTC = 3

    var isISO: Bool { self != .integer }
    var hasOffset: Bool { self == .isoOffset || self == .isoUTC }
}

/// Number and timestamp parsing straight from field bytes, without a `String` per field.
enum FieldParser {
    /// Powers of ten that a `Double` holds exactly.
    private static let exactPowers: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// Trims ASCII spaces and tabs from both ends of `p[0..<n]`.
    @inline(__always)
    static func trim(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var s = 0, e = n
        while s < e, p[s] == .space || p[s] == .tab { s += 1 }
        while e > s, p[e - 1] == .space || p[e - 1] == .tab { e -= 1 }
        return (p + s, e - s)
    }

    /// Parses a decimal number. Plain decimals of up to 15 significant digits take an exact
    /// fast path (Clinger: an integer below 2^53 divided by an exact power of ten is correctly
    /// rounded); everything else goes through `strtod` on a NUL-terminated copy.
    static func number(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> NumberField {
        let (p, n) = trim(p0, n0)
        guard n > 0 else { return .empty }
        var i = 0
        var negative = false
        if p[0] == 45 || p[0] == 43 { negative = p[0] == 45; i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        var seenDot = false, fast = true
        while i < n {
            let c = p[i]
            if c >= 48, c <= 57 {
                if mantissa != 0 || c != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                if seenDot { fraction += 1 }
                if digits > 15 { fast = false; break }
            } else if c == 46, !seenDot {
                seenDot = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        let hasDigit = n - (negative || p[0] == 43 ? 1 : 0) - (seenDot ? 1 : 0) > 0
        if fast, hasDigit, fraction <= 22 {
            let v = Double(mantissa) / exactPowers[fraction]
            return .value(negative ? -v : v)
        }
        return slowNumber(p, n)
    }

    private static func slowNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> NumberField {
        // strtod would also read hex floats and skip leading spaces; both are refused here.
        for k in 0..<n where p[k] == 120 || p[k] == 88 || p[k] == .space { return .nonNumeric }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            guard let b = buf.baseAddress else { return .nonNumeric }
            for k in 0..<n { b[k] = CChar(bitPattern: p[k]) }
            b[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(b, &end)
            guard let end, end - b == n else { return .nonNumeric }
            return v.isFinite ? .value(v) : .nonFinite
        }
    }

    /// Parses an integer step index or an ISO 8601 timestamp (see `Timestamp.parse(bytes:)`).
    static func time(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> TimeField {
        let (p, n) = trim(p0, n0)
        guard n > 0 else { return .empty }
        if let v = integer(p, n) { return .position(v, .integer) }
        guard let parsed = Timestamp.parse(bytes: UnsafeRawBufferPointer(start: p, count: n)) else { return .bad }
        switch parsed.zone {
        case .unspecified: return .position(parsed.seconds, .isoNaive)
        case .offset(0): return .position(parsed.seconds, .isoUTC)
        case .offset: return .position(parsed.seconds, .isoOffset)
        }
    }

    /// A signed decimal integer of at most 18 digits, or nil.
    @inline(__always)
    static func integer(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0
        var negative = false
        if p[0] == 45 || p[0] == 43 { negative = p[0] == 45; i = 1 }
        guard i < n, n - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < n {
            let c = p[i]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int64(c - 48)
            i += 1
        }
        return negative ? -v : v
    }
}

extension DiagnosticLog {
    /// A row's timestamp, or nil after logging why the row is rejected (empty or unparsable).
    mutating func rowTime(_ tok: CSVTokenizer, _ field: CSVField, line: Int) -> (position: Int64, kind: TimeKind)? {
        switch FieldParser.time(tok.pointer(field), field.count) {
        case .position(let p, let k):
            return (p, k)
        case .empty:
            add(.badTimestamp, .error, line: line, "empty timestamp; row rejected")
        case .bad:
            add(.badTimestamp, .error, line: line,
                "timestamp \"\(Header.excerpt(tok, field))\" is neither ISO 8601 nor an integer step; row rejected")
        }
        return nil
    }
}
