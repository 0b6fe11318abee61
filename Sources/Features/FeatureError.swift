/// An invalid feature configuration or a request the schema cannot answer.
package struct FeatureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem occurred; compare against the static members.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unknownTimeZone, invalidHoliday, invalidSchema, axisMismatch, unsupportedOnIndexAxis
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The IANA time-zone name is not known to this system's tz database.
        package static let unknownTimeZone = Code(.unknownTimeZone)
        /// A holiday rule names a date that does not exist or has a bad duration.
        package static let invalidHoliday = Code(.invalidHoliday)
        /// The schema's parameters are inconsistent (bad period, duplicate column, …).
        package static let invalidSchema = Code(.invalidSchema)
        /// A grid's axis differs from the axis the schema was built for.
        package static let axisMismatch = Code(.axisMismatch)
        /// A feature that needs wall-clock time was asked for on a step-index axis.
        package static let unsupportedOnIndexAxis = Code(.unsupportedOnIndexAxis)

        package var description: String { wrapped.rawValue }
    }

    package let code: Code
    package let message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
