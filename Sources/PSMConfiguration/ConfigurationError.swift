/// A `psm.toml` problem, naming the file, the section and the key:
/// `psm.toml: [forecast] horizon: expected an integer ≥ 1, got "abc"`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        case unreadable, syntax, unknownKey, missingKey, wrongType, invalidValue
    }
    public let code: Code
    public let file: String
    /// `[section] key`, or empty for whole-file problems.
    public let location: String
    public let message: String

    public init(_ code: Code, file: String, location: String, _ message: String) {
        self.code = code
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}
