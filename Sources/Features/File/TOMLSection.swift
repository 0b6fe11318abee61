import TOMLKit

/// Typed access to one `[section]`, with errors that name the file, section and key.
public struct TOMLSection {
    public let file: String
    public let name: String?
    public let table: TOMLTable?

    public init(file: String, name: String?, table: TOMLTable?) {
        self.file = file
        self.name = name
        self.table = table
    }

    public func error(_ code: ConfigurationError.Code, key: String, _ message: String) -> ConfigurationError {
        let location = [name.map { "[\($0)]" }, key.isEmpty ? nil : key].compactMap { $0 }.joined(separator: " ")
        return ConfigurationError(code, file: file, location: location, message)
    }

    /// The nested table `key` (absent → an empty section).
    public func section(_ key: String) throws(ConfigurationError) -> TOMLSection {
        let full = name.map { "\($0).\(key)" } ?? key
        guard let value = table?[key] else { return TOMLSection(file: file, name: full, table: nil) }
        guard let t = value.table else { throw error(.wrongType, key: key, "expected a table") }
        return TOMLSection(file: file, name: full, table: t)
    }

    public func rejectUnknown(_ allowed: [String]) throws(ConfigurationError) {
        guard let table else { return }
        for key in table.keys.sorted() where !allowed.contains(key) {
            let where_ = name.map { "[\($0)]" } ?? "top level"
            throw ConfigurationError(.unknownKey, file: file, location: name.map { "[\($0)] \(key)" } ?? key,
                                     "unknown key in \(where_) (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    /// How a TOML value reads in a message: strings quoted, as written otherwise.
    public static func shown(_ value: any TOMLValueConvertible) -> String {
        if let s = value.string { return "\"\(s)\"" }
        return value.tomlValue.debugDescription
    }

    public func int(_ key: String, atLeast minimum: Int) throws(ConfigurationError) -> Int? {
        guard let value = table?[key] else { return nil }
        guard value.type == .int, let i = value.int, i >= minimum else {
            throw error(.wrongType, key: key, "expected an integer ≥ \(minimum), got \(Self.shown(value))")
        }
        return i
    }

    public func number(_ key: String) throws(ConfigurationError) -> Double? {
        guard let value = table?[key] else { return nil }
        if value.type == .double, let d = value.double { return d }
        if value.type == .int, let i = value.int { return Double(i) }
        throw error(.wrongType, key: key, "expected a number, got \(Self.shown(value))")
    }

    public func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = table?[key] else { return nil }
        guard value.type == .bool, let b = value.bool else {
            throw error(.wrongType, key: key, "expected true or false, got \(Self.shown(value))")
        }
        return b
    }

    public func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = table?[key] else { return nil }
        guard value.type == .string, let s = value.string else {
            throw error(.wrongType, key: key, "expected a string, got \(Self.shown(value))")
        }
        return s
    }

    public func strings(_ key: String) throws(ConfigurationError) -> [String]? {
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

    public func numbers(_ key: String) throws(ConfigurationError) -> [Double]? {
        guard let value = table?[key] else { return nil }
        guard let array = value.array else { throw error(.wrongType, key: key, "expected an array of numbers, got \(Self.shown(value))") }
        var out: [Double] = []
        for element in array {
            if element.type == .double, let d = element.double { out.append(d) }
            else if element.type == .int, let i = element.int { out.append(Double(i)) }
            else { throw error(.wrongType, key: key, "expected an array of numbers, got element \(Self.shown(element))") }
        }
        return out
    }

}
