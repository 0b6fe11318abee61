/// A small, seeded PRNG (SplitMix64): the same seed gives the same run.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
}

/// FNV-1a, 64 bit: stable across processes (Swift's `Hasher` is seeded per process).
func fnv1a<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

/// Byte-level and line-level mutations in the style of AFL's havoc stage, plus tokens from a
/// per-target dictionary and "interesting" numbers (limits of Int64 and Double, nan, inf, -0).
struct Mutator {
    var rng: SplitMix64
    let dictionary: [[UInt8]]
    let maxLength: Int

    /// Numbers and values that sit on a limit somewhere in psm or in Swift's conversions.
    static let interestingNumbers: [String] = [
        "0", "-0", "1", "-1", "2", "7", "16", "255", "256", "1023", "1024", "65535", "65536", "65537",
        "2147483647", "-2147483648", "4294967295", "4294967296",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "99999999999999999999999999999",
        "1000000000000", "-1000000000000", "1000000000001", "-1000000000001", "999999999999",
        "253402300799", "253402300800", "-62135596800", "-62135596801", "67108864", "67108865",
        "1e308", "-1e308", "1.7976931348623157e308", "1.8e308", "1e309", "1e999", "-1e999", "5e-324", "1e-400",
        "4.9e-324", "2.2250738585072014e-308", "9.223372036854776e18", "9.3e18", "-9.3e18", "1e19", "1e20",
        "0.0", "-0.0", "0.5", "0.99", "1.0", "1.5", "3.0e2", "1E2", "0x7fffffffffffffff", "0o777", "0b101",
        "nan", "+nan", "-nan", "NaN", "inf", "+inf", "-inf", "Infinity", "-Infinity",
        "1_000", "00", "01", "+1", ".5", "5.", "1e", "--1",
        "1970-01-01T00:00:00Z", "0000-01-01", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59", "2024-02-29", "2023-02-29", "2024-13-01", "2024-01-32", "2024-01-01T24:00:00",
        "2024-01-01T23:59:60Z", "2024-01-01T00:00:00+99:99", "2024-01-01T00:00:00.123456789123Z",
    ]

    /// Bytes that change how text is read.
    static let interestingBytes: [UInt8] = [0, 0x7F, 0x80, 0xFF, 0xC0, 0xED, 0x0A, 0x0D, 0x09, 0x20,
                                            0x22, 0x27, 0x2C, 0x3D, 0x5B, 0x5D, 0x7B, 0x7D, 0x23, 0x5C, 0x2E, 0x2D, 0x3A]

    init(seed: UInt64, dictionary: [String], maxLength: Int) {
        rng = SplitMix64(seed: seed)
        // Tokens every text format here can use, then the target's own.
        var tokens = dictionary.map { Array($0.utf8) }
        tokens += Self.interestingNumbers.map { Array($0.utf8) }
        tokens += [[0], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x80, 0xA8],
                   [0xEF, 0xBB, 0xBF], Array("\r\n".utf8), Array("\u{FEFF}".utf8), Array("é".utf8), Array("𝄞".utf8)]
        self.dictionary = tokens
        self.maxLength = maxLength
    }

    /// A mutated copy of `input`; `other` is a second corpus entry for splicing.
    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var data = input
        let rounds = 1 + rng.below(rng.chance(4) ? 16 : 4)
        for _ in 0..<rounds { mutateOnce(&data, other: other) }
        if data.count > maxLength { data.removeLast(data.count - maxLength) }
        return data
    }

    private mutating func position(_ data: [UInt8], inclusive: Bool = true) -> Int {
        rng.below(data.count + (inclusive ? 1 : 0))
    }

    mutating func mutateOnce(_ data: inout [UInt8], other: [UInt8]) {
        switch rng.below(16) {
        case 0 where !data.isEmpty: // flip a bit
            let i = position(data, inclusive: false)
            data[i] ^= UInt8(1) << UInt8(rng.below(8))
        case 1 where !data.isEmpty: // an interesting or random byte
            let i = position(data, inclusive: false)
            data[i] = rng.chance(2) ? Self.interestingBytes[rng.below(Self.interestingBytes.count)] : UInt8(truncatingIfNeeded: rng.next())
        case 2: // insert a byte
            data.insert(rng.chance(2) ? Self.interestingBytes[rng.below(Self.interestingBytes.count)] : UInt8(truncatingIfNeeded: rng.next()),
                        at: position(data))
        case 3 where !data.isEmpty: // delete a range
            let i = position(data, inclusive: false)
            let n = 1 + rng.below(min(data.count - i, rng.chance(4) ? 64 : 8))
            data.removeSubrange(i..<(i + n))
        case 4 where !data.isEmpty: // duplicate a range somewhere
            let i = position(data, inclusive: false)
            let n = 1 + rng.below(min(data.count - i, 32))
            let chunk = Array(data[i..<(i + n)])
            data.insert(contentsOf: chunk, at: position(data))
        case 5, 6: // insert a dictionary token
            data.insert(contentsOf: dictionary[rng.below(dictionary.count)], at: position(data))
        case 7, 8: // replace a number-like run (or any word) with an interesting number
            replaceWord(&data, with: Array(Self.interestingNumbers[rng.below(Self.interestingNumbers.count)].utf8))
        case 9: // replace a word with a dictionary token
            replaceWord(&data, with: dictionary[rng.below(dictionary.count)])
        case 10: // splice: a line of the other input into a line boundary of this one
            let lines = Self.lines(other)
            guard !lines.isEmpty else { return }
            let line = lines[rng.below(lines.count)]
            let at = lineStart(data)
            data.insert(contentsOf: other[line] + [0x0A], at: at)
        case 11: // delete, duplicate or swap whole lines
            var lines = Self.lines(data).map { Array(data[$0]) }
            guard !lines.isEmpty else { return }
            let i = rng.below(lines.count)
            switch rng.below(3) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: rng.below(lines.count + 1))
            default: lines.swapAt(i, rng.below(lines.count))
            }
            data = Array(lines.joined(separator: [0x0A]))
        case 12: // crossover: a prefix of this input and a suffix of the other
            let cut = position(data)
            let from = rng.below(other.count + 1)
            data = Array(data[..<cut]) + Array(other[from...])
        case 13 where !data.isEmpty: // truncate
            data.removeLast(rng.below(data.count) + 1)
        case 14: // repeat a token many times (deep nesting, long values)
            let token = rng.chance(2) ? dictionary[rng.below(dictionary.count)] : [Self.interestingBytes[rng.below(Self.interestingBytes.count)]]
            let times = 2 + rng.below(rng.chance(8) ? 600 : 40)
            var run: [UInt8] = []
            for _ in 0..<times { run += token }
            data.insert(contentsOf: run.prefix(maxLength), at: position(data))
        default: // add or subtract a small amount to a byte
            guard !data.isEmpty else { return }
            let i = position(data, inclusive: false)
            data[i] = data[i] &+ UInt8(truncatingIfNeeded: rng.below(35) - 17)
        }
    }

    /// Replaces the word (run of letters, digits, `.`, `+`, `-`, `_`, `:`) around a random byte.
    private mutating func replaceWord(_ data: inout [UInt8], with token: [UInt8]) {
        guard !data.isEmpty else { data = token; return }
        func inWord(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x2B || b == 0x2D
                || b == 0x5F || b == 0x3A
        }
        // Prefer a run that starts with a digit or sign (a number) when there is one nearby.
        var i = position(data, inclusive: false)
        for _ in 0..<64 where !(data[i] >= 0x30 && data[i] <= 0x39) { i = (i + 1) % data.count }
        var start = i, end = i
        while start > 0, inWord(data[start - 1]) { start -= 1 }
        while end < data.count, inWord(data[end]) { end += 1 }
        data.replaceSubrange(start..<max(end, start), with: token)
    }

    private mutating func lineStart(_ data: [UInt8]) -> Int {
        let starts = [0] + data.indices.filter { data[$0] == 0x0A }.map { $0 + 1 }
        return starts[rng.below(starts.count)]
    }

    static func lines(_ data: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for (i, b) in data.enumerated() where b == 0x0A {
            out.append(start..<i)
            start = i + 1
        }
        if start < data.count { out.append(start..<data.count) }
        return out
    }
}
