/// A problem in a calendar file, naming the file, the entry (`holiday[2]`) and what is wrong.
package struct CalendarFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem occurred; compare against the static members.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unreadableFile, syntax, unknownKey, missingKey, wrongType, badDate, badRule
            case endBeforeStart, unknownKind, unknownZone, badValue
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file could not be read.
        package static let unreadableFile = Code(.unreadableFile)
        /// The text is not valid TOML.
        package static let syntax = Code(.syntax)
        /// A key the format does not define (often a typo).
        package static let unknownKey = Code(.unknownKey)
        /// A required key is absent.
        package static let missingKey = Code(.missingKey)
        /// A key holds the wrong TOML type.
        package static let wrongType = Code(.wrongType)
        /// A date or date-time that does not parse or does not exist.
        package static let badDate = Code(.badDate)
        /// A holiday rule that does not parse.
        package static let badRule = Code(.badRule)
        /// An event whose end is not after its start.
        package static let endBeforeStart = Code(.endBeforeStart)
        /// An event kind other than holiday, promotion, notice, calendar.
        package static let unknownKind = Code(.unknownKind)
        /// A time zone the system's tz database does not know.
        package static let unknownZone = Code(.unknownZone)
        /// A value out of range or inconsistent with another key.
        package static let badValue = Code(.badValue)

        package var description: String { wrapped.rawValue }
    }

    package let code: Code
    /// The file name as given to the parser.
    package let file: String
    /// The entry, e.g. `holiday[2] "Thanksgiving"` (1-based: the second `[[holiday]]`), if any.
    package let entry: String?
    package let message: String

    package init(_ code: Code, file: String, entry: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.entry = entry
        self.message = message
    }

    package var description: String {
        entry.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }
}
