/// An invalid feature configuration or a request the schema cannot answer.
public struct FeatureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem occurred; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unknownTimeZone, invalidHoliday, invalidSchema, axisMismatch, unsupportedOnIndexAxis
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The IANA time-zone name is not known to this system's tz database.
        public static let unknownTimeZone = Code(.unknownTimeZone)
        /// A holiday rule names a date that does not exist or has a bad duration.
        public static let invalidHoliday = Code(.invalidHoliday)
        /// The schema's parameters are inconsistent (bad period, duplicate column, …).
        public static let invalidSchema = Code(.invalidSchema)
        /// A grid's axis differs from the axis the schema was built for.
        public static let axisMismatch = Code(.axisMismatch)
        /// A feature that needs wall-clock time was asked for on a step-index axis.
        public static let unsupportedOnIndexAxis = Code(.unsupportedOnIndexAxis)

        public var description: String { wrapped.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
