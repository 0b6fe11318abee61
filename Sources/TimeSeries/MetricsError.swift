/// Why an accuracy metric could not be computed.
///
/// Metrics never trap on bad input: mismatched lengths, empty or all-missing actuals, invalid
/// levels and undefined scales are reported through this error, with the offending index or value
/// in `message`.
public struct MetricError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The kind of failure, stable for callers that branch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case emptyInput, lengthMismatch, noObservedValues, nonFiniteValue, invalidLevel
            case invalidSeason, insufficientInsample, zeroScale, invalidScale, crossedInterval
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// An input array has no elements.
        public static let emptyInput = Code(.emptyInput)
        /// Actuals and forecasts (or a quantile row and the levels) differ in length.
        public static let lengthMismatch = Code(.lengthMismatch)
        /// Every actual is missing (`.nan`), so there is nothing to score.
        public static let noObservedValues = Code(.noObservedValues)
        /// An infinite actual, or a non-finite forecast where the actual is observed.
        public static let nonFiniteValue = Code(.nonFiniteValue)
        /// A quantile level or interval alpha outside (0, 1).
        public static let invalidLevel = Code(.invalidLevel)
        /// A seasonal period below 1.
        public static let invalidSeason = Code(.invalidSeason)
        /// The in-sample series has no pair of observed values one season apart.
        public static let insufficientInsample = Code(.insufficientInsample)
        /// The in-sample seasonal-naive MAE is 0, so scaled metrics are undefined.
        public static let zeroScale = Code(.zeroScale)
        /// A caller-supplied scale is negative or not finite.
        public static let invalidScale = Code(.invalidScale)
        /// An interval whose lower bound exceeds its upper bound.
        public static let crossedInterval = Code(.crossedInterval)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, naming the index or value at fault.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
