/// A problem in a calendar file, naming the file, the entry (`holiday[2]`) and what is wrong.
public struct CalendarFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem occurred; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unreadableFile, syntax, unknownKey, missingKey, wrongType, badDate, badRule
            case endBeforeStart, unknownKind, unknownZone, badValue
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file could not be read.
        public static let unreadableFile = Code(.unreadableFile)
        /// The text is not valid TOML.
        public static let syntax = Code(.syntax)
        /// A key the format does not define (often a typo).
        public static let unknownKey = Code(.unknownKey)
        /// A required key is absent.
        public static let missingKey = Code(.missingKey)
        /// A key holds the wrong TOML type.
        public static let wrongType = Code(.wrongType)
        /// A date or date-time that does not parse or does not exist.
        public static let badDate = Code(.badDate)
        /// A holiday rule that does not parse.
        public static let badRule = Code(.badRule)
        /// An event whose end is not after its start.
        public static let endBeforeStart = Code(.endBeforeStart)
        /// An event kind other than holiday, promotion, notice, calendar.
        public static let unknownKind = Code(.unknownKind)
        /// A time zone the system's tz database does not know.
        public static let unknownZone = Code(.unknownZone)
        /// A value out of range or inconsistent with another key.
        public static let badValue = Code(.badValue)

        public var description: String { wrapped.rawValue }
    }

    public let code: Code
    /// The file name as given to the parser.
    public let file: String
    /// The entry, e.g. `holiday[2] "Thanksgiving"` (1-based: the second `[[holiday]]`), if any.
    public let entry: String?
    public let message: String

    public init(_ code: Code, file: String, entry: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.entry = entry
        self.message = message
    }

    public var description: String {
        entry.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }
}
