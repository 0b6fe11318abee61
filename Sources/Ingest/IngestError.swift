/// Why a whole input could not be used (as opposed to a row, which only yields a `Diagnostic`).
package struct IngestError: Error, CustomStringConvertible, Sendable {
    /// A stable, matchable reason; new codes may be added.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case fileNotReadable, emptyFile, headerOnly, missingColumns, duplicateColumns
            case unknownTextColumns, noValidRows, invalidOptions
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The file does not exist or cannot be read.
        package static let fileNotReadable = Code(.fileNotReadable)
        /// The file has no bytes, or only a byte-order mark and blank lines.
        package static let emptyFile = Code(.emptyFile)
        /// The file has a header and no data row.
        package static let headerOnly = Code(.headerOnly)
        /// A column that the format requires is absent from the header.
        package static let missingColumns = Code(.missingColumns)
        /// Two header columns have the same name.
        package static let duplicateColumns = Code(.duplicateColumns)
        /// Long CSV extra columns hold text, not numbers, and the options say to reject them.
        package static let unknownTextColumns = Code(.unknownTextColumns)
        /// Every data row was rejected.
        package static let noValidRows = Code(.noValidRows)
        /// The options themselves are inconsistent (e.g. a non-positive step).
        package static let invalidOptions = Code(.invalidOptions)

        package var description: String { value.rawValue }
    }

    package let code: Code
    /// What went wrong, in one sentence.
    package let message: String
    /// The file the error is about.
    package let file: String
    /// 1-based line the error points at, or nil when it concerns the whole file.
    package let line: Int?
    /// Row diagnostics gathered before the input was found unusable (e.g. for `noValidRows`).
    package let diagnostics: [Diagnostic]
    /// The underlying system error, when there is one.
    package let cause: (any Error & Sendable)?

    init(_ code: Code, _ message: String, file: String, line: Int? = nil,
         diagnostics: [Diagnostic] = [], cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.diagnostics = diagnostics
        self.cause = cause
    }

    package var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): \(message) [\(code)]"
    }
}
