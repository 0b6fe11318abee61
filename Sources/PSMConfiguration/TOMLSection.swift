import TOMLKit

/// Typed access to one `[section]`, with errors that name the file, section and key.
public struct TOMLSection {
    package let file: String
    package let name: String?
    package let table: TOMLTable?

    package init(file: String, name: String?, table: TOMLTable?) {
        self.file = file
        self.name = name
        self.table = table
    }

    /// The top level of a psm.toml's text; `file` labels errors.
    package static func root(parsing text: String, file: String) throws(ConfigurationError) -> TOMLSection {
        do {
            return TOMLSection(file: file, name: nil, table: try TOMLText.parse(text))
        } catch {
            throw ConfigurationError(.syntax, file: file, location: "", error.description)
        }
    }

    package func error(_ code: ConfigurationError.Code, key: String, _ message: String) -> ConfigurationError {
        let location = [name.map { "[\($0)]" }, key.isEmpty ? nil : key].compactMap { $0 }.joined(separator: " ")
        return ConfigurationError(code, file: file, location: location, message)
    }

    /// The nested table `key` (absent → an empty section).
    package func section(_ key: String) throws(ConfigurationError) -> TOMLSection {
        let full = name.map { "\($0).\(key)" } ?? key
        guard let value = table?[key] else { return TOMLSection(file: file, name: full, table: nil) }
        guard let t = value.table else { throw error(.wrongType, key: key, "expected a table") }
        return TOMLSection(file: file, name: full, table: t)
    }

    package func rejectUnknown(_ allowed: [String]) throws(ConfigurationError) {
        guard let table else { return }
        for key in table.keys.sorted() where !allowed.contains(key) {
            let where_ = name.map { "[\($0)]" } ?? "top level"
            throw ConfigurationError(.unknownKey, file: file, location: name.map { "[\($0)] \(key)" } ?? key,
                                     "unknown key in \(where_) (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    /// How a TOML value reads in a message: strings quoted, as written otherwise.
    package static func shown(_ value: any TOMLValueConvertible) -> String {
        if let s = value.string { return "\"\(s)\"" }
        return value.tomlValue.debugDescription
    }

    /// The integer `key`, which must lie in `range` (every integer key states its range, so that a
    /// value such as 9223372036854775807 is refused by name instead of overflowing later).
    package func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = table?[key] else { return nil }
        let expected = "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(Self.shown(value))"
        guard value.type == .int, let i = value.int else { throw error(.wrongType, key: key, expected) }
        guard range.contains(i) else { throw error(.invalidValue, key: key, expected) }
        return i
    }

    /// The finite number `key` (an integer reads as one) within `lower...upper`, or above `lower`
    /// when `lowerExclusive`.
    package func number(_ key: String, from lower: Double, to upper: Double,
                       lowerExclusive: Bool = false) throws(ConfigurationError) -> Double? {
        guard let value = table?[key] else { return nil }
        let d: Double
        if value.type == .double, let v = value.double { d = v }
        else if value.type == .int, let i = value.int { d = Double(i) }
        else { throw error(.wrongType, key: key, "expected a number, got \(Self.shown(value))") }
        guard d.isFinite, lowerExclusive ? d > lower : d >= lower, d <= upper else {
            throw error(.invalidValue, key: key, "expected a number \(Self.range(lower, upper, lowerExclusive: lowerExclusive)), got \(Self.shown(value))")
        }
        return d
    }

    /// `from 0 to 1`, or `above 0 and at most 1`.
    static func range(_ lower: Double, _ upper: Double, lowerExclusive: Bool) -> String {
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)" }
        return lowerExclusive ? "above \(f(lower)) and at most \(f(upper))" : "from \(f(lower)) to \(f(upper))"
    }

    package func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = table?[key] else { return nil }
        guard value.type == .bool, let b = value.bool else {
            throw error(.wrongType, key: key, "expected true or false, got \(Self.shown(value))")
        }
        return b
    }

    package func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = table?[key] else { return nil }
        guard value.type == .string, let s = value.string else {
            throw error(.wrongType, key: key, "expected a string, got \(Self.shown(value))")
        }
        return s
    }

    package func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = table?[key] else { return nil }
        guard let array = value.array else { throw error(.wrongType, key: key, "expected an array of strings, got \(Self.shown(value))") }
        var out: [String] = []
        for element in array {
            guard element.type == .string, let s = element.string else {
                throw error(.wrongType, key: key, "expected an array of strings, got element \(Self.shown(element))")
            }
            out.append(s)
        }
        return out
    }

    /// An array of finite numbers.
    package func numbers(_ key: String) throws(ConfigurationError) -> [Double]? {
        guard let value = table?[key] else { return nil }
        guard let array = value.array else { throw error(.wrongType, key: key, "expected an array of numbers, got \(Self.shown(value))") }
        var out: [Double] = []
        for element in array {
            if element.type == .double, let d = element.double, d.isFinite { out.append(d) }
            else if element.type == .int, let i = element.int { out.append(Double(i)) }
            else { throw error(.wrongType, key: key, "expected an array of finite numbers, got element \(Self.shown(element))") }
        }
        return out
    }
}
