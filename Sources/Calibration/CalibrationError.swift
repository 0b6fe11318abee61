/// Why a calibration could not be fitted or a state could not be built.
package struct CalibrationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of problem occurred.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String { case invalidLevels, invalidParameter, insufficientData }
        let kind: Kind
        /// The quantile levels are empty, outside (0, 1) or not strictly increasing.
        package static let invalidLevels = Code(kind: .invalidLevels)
        /// A parameter (minimum sample count, learning rate, target) is out of range.
        package static let invalidParameter = Code(kind: .invalidParameter)
        /// No usable calibration sample was given.
        package static let insufficientData = Code(kind: .insufficientData)
        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// Levels must be non-empty, in (0, 1) and strictly increasing (as in `ForecastDistribution`).
    static func checkLevels(_ levels: [Double]) throws(CalibrationError) {
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }),
              zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw CalibrationError(.invalidLevels, "quantile levels must be strictly increasing in (0, 1), got \(levels)") }
    }
}
