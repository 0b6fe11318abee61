import TOMLKit

/// Parses TOML text for every psm file (psm.toml, calendars): one place that refuses what the
/// TOML library would misread. toml++ reads a C string, so a NUL byte would silently end the file
/// there — everything after it dropped, garbage after it accepted.
package enum TOMLText {
    /// A syntax problem at a line and column (1-based).
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package var line: Int
        package var column: Int
        package var message: String
        package var description: String { "line \(line), column \(column): \(message)" }
    }

    package static func parse(_ text: String) throws(Problem) -> TOMLTable {
        if let nul = text.utf8.firstIndex(of: 0) {
            let before = text.utf8[..<nul]
            let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { text.utf8.index(after: $0) } ?? text.utf8.startIndex
            let column = text.utf8.distance(from: lineStart, to: nul) + 1
            throw Problem(line: line, column: column, message: "a NUL byte: not TOML text (a binary file, or zero bytes left by an interrupted write?)")
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Problem(line: Int(error.source.begin.line), column: Int(error.source.begin.column), message: error.description)
        } catch {
            throw Problem(line: 1, column: 1, message: "\(error)")
        }
    }
}
