import Foundation

extension HolidayRule: CustomStringConvertible, Codable {
    /// Parses `YYYY-MM-DD`, `MM-DD`, or `<ordinal> <weekday> of <month>` (`last monday of may`).
    ///
    /// Ordinals: `1st`…`5th`, `first`…`fifth`, `last`. Weekdays and months: full English names or
    /// their three-letter abbreviations, any case. Throws `FeatureError.Code.invalidHoliday`.
    package init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) {
            self = try Self.parseDate(trimmed, original: text)
        } else {
            self = try Self.parseWeekdayRule(trimmed, original: text)
        }
        do { try validate() } catch let error as FeatureError {
            throw FeatureError(error.code, "\"\(text)\": \(error.message)")
        }
    }

    private static func parseDate(_ text: String, original: String) throws -> HolidayRule {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let numbers = parts.map { part in part.allSatisfy { $0.isASCII && $0.isNumber } ? Int(part) : nil }
        switch (parts.count, numbers) {
        case (3, let n) where parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2:
            if let y = n[0], let m = n[1], let d = n[2] { return .date(year: y, month: m, day: d) }
        case (2, let n) where parts[0].count == 2 && parts[1].count == 2:
            if let m = n[0], let d = n[1] { return .annual(month: m, day: d) }
        default: break
        }
        throw FeatureError(.invalidHoliday, "\"\(original)\" is not a date (YYYY-MM-DD) or month-day (MM-DD)")
    }

    private static func parseWeekdayRule(_ text: String, original: String) throws -> HolidayRule {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let usage = "expected \"<1st…5th|first…fifth|last> <weekday> of <month>\""
        guard words.count == 4, words[2] == "of" else {
            throw FeatureError(.invalidHoliday, "\"\(original)\" is not a rule: \(usage)")
        }
        guard let ordinal = ordinals[words[0]] else {
            throw FeatureError(.invalidHoliday, "\"\(original)\": unknown ordinal \"\(words[0])\"; \(usage)")
        }
        guard let weekday = Weekday.allCases.first(where: { $0.name == words[1] || $0.name.prefix(3) == words[1] }) else {
            throw FeatureError(.invalidHoliday, "\"\(original)\": unknown weekday \"\(words[1])\"")
        }
        guard let month = monthNames.firstIndex(where: { $0 == words[3] || $0.prefix(3) == words[3] }) else {
            throw FeatureError(.invalidHoliday, "\"\(original)\": unknown month \"\(words[3])\"")
        }
        return .nthWeekday(ordinal: ordinal, weekday: weekday, month: month + 1)
    }

    /// The rule as `HolidayRule(parsing:)` reads it: `2026-12-25`, `12-25`, `4th thursday of november`.
    package var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        switch self {
        case let .date(y, m, d): return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
        case let .annual(m, d): return "\(pad(m, 2))-\(pad(d, 2))"
        case let .nthWeekday(ordinal, weekday, m):
            let ord = ordinal == -1 ? "last" : ["1st", "2nd", "3rd", "4th", "5th"][max(0, min(4, ordinal - 1))]
            let month = (1...12).contains(m) ? Self.monthNames[m - 1] : "month\(m)"
            return "\(ord) \(weekday.name) of \(month)"
        }
    }

    /// Stored as its text, so manifests read like calendar files.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(parsing: text) } catch let error as FeatureError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static let ordinals: [String: Int] = [
        "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
    ]

    static let monthNames = [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ]
}
