#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One field of a CSV record: a byte range of the file (inside the quotes when quoted).
struct CSVField {
    var start: Int
    var end: Int
    /// The field contains `""` escapes that must be collapsed before it is used as text.
    var escaped: Bool
    var count: Int { end - start }
}

/// A forward-only CSV record reader over raw bytes (RFC 4180 plus the usual looseness).
///
/// Handles a UTF-8 byte-order mark, LF / CRLF / lone-CR line ends, a missing final newline,
/// quoted fields with `""` escapes and embedded newlines. Blank lines are skipped (they still
/// count for line numbers). Nothing is copied: fields are ranges of the input.
struct CSVTokenizer {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var pos: Int
    /// The 1-based line the next byte is on.
    private var line = 1

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; point at a static byte instead.
        base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? CSVTokenizer.emptyByte
        count = bytes.count
        pos = 0
        if count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { pos = 3 }
    }

    private nonisolated(unsafe) static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// A record's first line and whether its quoting was broken.
    struct Record {
        var line: Int
        var malformed: Bool
    }

    /// Reads the next non-blank record into `fields`; nil at the end of the input.
    mutating func next(into fields: inout [CSVField]) -> Record? {
        fields.removeAll(keepingCapacity: true)
        while pos < count {
            let c = base[pos]
            if c == .lf {
                pos += 1; line += 1
            } else if c == .cr {
                pos += 1
                if pos < count, base[pos] == .lf { pos += 1 }
                line += 1
            } else {
                break
            }
        }
        guard pos < count else { return nil }
        let record = line
        var malformed = false
        while true {
            if pos < count, base[pos] == .quote {
                pos += 1
                let start = pos
                var escaped = false, closed = false
                while pos < count {
                    let c = base[pos]
                    if c == .quote {
                        if pos + 1 < count, base[pos + 1] == .quote {
                            escaped = true
                            pos += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if c == .lf || (c == .cr && !(pos + 1 < count && base[pos + 1] == .lf)) { line += 1 }
                    pos += 1
                }
                fields.append(CSVField(start: start, end: pos, escaped: escaped))
                if closed { pos += 1 } else { malformed = true }
                if pos < count {
                    let c = base[pos]
                    if c != .comma, c != .lf, c != .cr {
                        malformed = true // text after a closing quote: skip it
                        while pos < count, base[pos] != .comma, base[pos] != .lf, base[pos] != .cr { pos += 1 }
                    }
                }
            } else {
                let start = pos
                while pos < count {
                    let c = base[pos]
                    if c == .comma || c == .lf || c == .cr { break }
                    pos += 1
                }
                fields.append(CSVField(start: start, end: pos, escaped: false))
            }
            guard pos < count else { break }
            let c = base[pos]
            pos += 1
            if c == .comma { continue }
            if c == .cr, pos < count, base[pos] == .lf { pos += 1 }
            line += 1
            break
        }
        return Record(line: record, malformed: malformed)
    }

    /// A pointer to the first byte of `field` (valid while the input buffer lives).
    func pointer(_ field: CSVField) -> UnsafePointer<UInt8> { base + field.start }

    /// The field's bytes.
    func bytes(_ field: CSVField) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + field.start, count: field.count)
    }

    /// The field as text, with `""` collapsed and surrounding spaces kept.
    func string(_ field: CSVField) -> String {
        let raw = UnsafeBufferPointer(start: base + field.start, count: field.count)
        guard field.escaped else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            out.append(raw[i])
            i += (raw[i] == .quote && i + 1 < raw.count && raw[i + 1] == .quote) ? 2 : 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether two fields hold the same bytes (no `""` collapsing; used to reuse a lookup).
    func equal(_ field: CSVField, _ other: UnsafeRawBufferPointer) -> Bool {
        guard field.count == other.count else { return false }
        guard field.count > 0, let o = other.baseAddress else { return true }
        return memcmp(base + field.start, o, field.count) == 0
    }
}

extension UInt8 {
    static let lf: UInt8 = 10
    static let cr: UInt8 = 13
    static let comma: UInt8 = 44
    static let quote: UInt8 = 34
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
}
