/// A `psm.toml` problem, naming the file, the section and the key:
/// `psm.toml: [forecast] horizon: expected an integer ≥ 1, got "abc"`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    package enum Code: String, Sendable, Equatable {
        case unreadable, syntax, unknownKey, missingKey, wrongType, invalidValue
    }
    package let code: Code
    package let file: String
    /// `[section] key`, or empty for whole-file problems.
    package let location: String
    package let message: String

    package init(_ code: Code, file: String, location: String, _ message: String) {
        self.code = code
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}
