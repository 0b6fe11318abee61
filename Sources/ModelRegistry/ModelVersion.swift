import TimeSeries

/// A version id, `yyyyMMdd'T'HHmmss'Z'-<hash8>`: the UTC second of publication and the first 8 hex
/// digits of the SHA-256 of the version's `manifest.json`.
///
/// Ids compare as strings, which is time order (seconds, so two publishes within one minute still
/// sort); two versions published in the same second are ordered by their hash.
public struct ModelVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let id: String
    /// Unix seconds (UTC) encoded in the id.
    public let createdAt: Int64
    /// The 8 lower-case hex digits after the dash.
    package let hash: String

    /// Parses an id; `nil` when it is not of the form `20261129T040000Z-0123abcd`.
    package init?(_ id: String) {
        let b = Array(id.utf8)
        guard b.count == 25, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"), b[16] == UInt8(ascii: "-")
        else { return nil }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return v
        }
        guard let year = digits(0..<4), let month = digits(4..<6), let day = digits(6..<8),
              let hour = digits(9..<11), let minute = digits(11..<13), let second = digits(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60,
              b[17...].allSatisfy({ Self.isLowerHex($0) })
        else { return nil }
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        // Reject dates such as 20260231 that the day arithmetic would silently roll over.
        guard Timestamp.civilFromDays(days) == (Int64(year), Int64(month), Int64(day)) else { return nil }
        self.id = id
        self.createdAt = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.hash = String(decoding: b[17...], as: UTF8.self)
    }

    /// The id for a manifest published at `seconds` whose SHA-256 hex digest is `digest`.
    init?(seconds: Int64, digest: String) {
        let time = Timestamp.format(seconds) // YYYY-MM-DDTHH:MM:SSZ
        let compact = time.filter { $0 != "-" && $0 != ":" }
        self.init(compact + "-" + digest.prefix(8))
    }

    public var description: String { id }

    public static func < (a: ModelVersion, b: ModelVersion) -> Bool { a.id < b.id }

    private static func isLowerHex(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
    }
}

/// The names the registry accepts for groups and parameter files.
package enum RegistryNames {
    /// Group names: 1–128 characters from `A–Z a–z 0–9 . _ -`, not starting with a dot, so a group
    /// is always one plain directory under the root (no `/`, `..`, hidden or temporary names).
    package static func isValidGroup(_ name: String) -> Bool { isPlain(name, maxLength: 128) }

    /// Parameter file names: as group names (up to 255 characters), and not `manifest.json`.
    package static func isValidFile(_ name: String) -> Bool {
        isPlain(name, maxLength: 255) && name != ModelRegistry.manifestName
    }

    static func isPlain(_ name: String, maxLength: Int) -> Bool {
        let u = name.utf8
        guard !u.isEmpty, u.count <= maxLength, u.first != UInt8(ascii: ".") else { return false }
        return u.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }
}
