/// Parsing and formatting of ISO 8601 timestamps as Unix seconds (UTC).
///
/// Hand-written rather than `ISO8601DateFormatter` because ingest parses millions of them:
/// this works on raw UTF-8 bytes and allocates nothing.
public enum Timestamp {
    /// What a timestamp field said about its zone, so readers can reject mixed inputs.
    public enum Zone: Sendable, Hashable {
        /// No offset was written; the value is taken as UTC.
        case unspecified
        /// An explicit offset (`Z` is 0) in seconds east of UTC.
        case offset(Int32)
    }

    public struct Parsed: Sendable, Hashable {
        public var seconds: Int64
        public var zone: Zone
    }

    /// Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH[:MM]]`. Returns nil when malformed.
    public static func parse(_ text: Substring) -> Parsed? {
        var copy = String(text)
        return copy.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0)) }
    }

    public static func parse(_ text: String) -> Parsed? { parse(Substring(text)) }

    /// Parses from raw bytes (see `parse(_:)` for the accepted forms).
    public static func parse(bytes b: UnsafeRawBufferPointer) -> Parsed? {
        let n = b.count
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        var hour = 0, minute = 0, second = 0
        if i < n, b[i] == 32 || b[i] == 84 { // ' ' or 'T'
            i += 1
            guard let h = digits(2), expect(58), let m = digits(2) else { return nil }
            hour = h; minute = m
            if expect(58) {
                guard let s = digits(2) else { return nil }
                second = s
                if expect(46) { // fractional seconds are accepted and truncated
                    let startFraction = i
                    while i < n, b[i] >= 48, b[i] <= 57 { i += 1 }
                    guard i > startFraction else { return nil }
                }
            }
            guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        }
        var zone = Zone.unspecified
        if i < n {
            let c = b[i]
            if c == 90 { // 'Z'
                i += 1
                zone = .offset(0)
            } else if c == 43 || c == 45 { // '+' or '-'
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if i < n {
                    _ = expect(58)
                    guard let m = digits(2) else { return nil }
                    om = m
                }
                guard oh <= 23, om <= 59 else { return nil }
                let sign: Int32 = c == 45 ? -1 : 1
                zone = .offset(sign * Int32(oh * 3600 + om * 60))
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        if case .offset(let off) = zone { seconds -= Int64(off) }
        return Parsed(seconds: seconds, zone: zone)
    }

    /// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ seconds: Int64) -> String {
        let (days, rem) = floorDivMod(seconds, 86_400)
        let (y, m, d) = civilFromDays(days)
        let hh = rem / 3600, mm = (rem % 3600) / 60, ss = rem % 60
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2))Z"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day of week of a Unix time in UTC: 0 = Monday … 6 = Sunday (ISO 8601).
    public static func weekday(_ seconds: Int64) -> Int {
        let days = floorDivMod(seconds, 86_400).0
        return Int(floorDivMod(days + 3, 7).1) // 1970-01-01 was a Thursday
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Floor division and the matching non-negative remainder.
    public static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }
}
