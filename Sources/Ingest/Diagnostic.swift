/// A note about one row (or cell) that was rejected or adjusted while reading a file.
package struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How much the row's data was affected.
    package enum Severity: String, Sendable, Hashable, Comparable {
        /// Nothing was lost; a fact worth knowing (e.g. how ids were formed).
        case info
        /// The data was kept but changed or interpreted (merged duplicates, sorted rows, filled gaps).
        case warning
        /// The row or cell was dropped.
        case error

        package static func < (a: Severity, b: Severity) -> Bool {
            let rank: [Severity: Int] = [.info: 0, .warning: 1, .error: 2]
            return rank[a, default: 0] < rank[b, default: 0]
        }
    }

    /// What kind of problem a diagnostic reports.
    package enum Code: String, Sendable, Hashable, CaseIterable {
        case wrongFieldCount, malformedQuotes, emptySeriesId
        case emptyValue, nonNumericValue, nonFiniteValue
        case badTimestamp, mixedTimestampKinds, mixedZoneStyles, naiveTimesAsUTC
        case conflictingAttribute, seriesIdRenamed, unknownColumnSkipped, emptyColumnName
        case duplicateTimestamp, outOfOrder, resampled, gapsFilled, stepDiffers
        case singlePoint, gridTooLong
        /// Stands in for the diagnostics of one code beyond `IngestOptions.maxDiagnosticsPerCode`.
        case suppressed
    }

    package var file: String
    /// 1-based physical line the record starts on; 0 when the note concerns the whole file.
    package var line: Int
    package var severity: Severity
    package var code: Code
    package var message: String
    /// The series the note concerns, when one is known.
    package var series: String?

    package init(file: String, line: Int, severity: Severity, code: Code, message: String, series: String? = nil) {
        self.file = file
        self.line = line
        self.severity = severity
        self.code = code
        self.message = message
        self.series = series
    }

    package var description: String { "\(file):\(line): \(severity.rawValue): \(message) [\(code.rawValue)]" }
}

/// Collects a file's diagnostics, keeping at most `cap` per code so a bad million-row file
/// cannot produce a million messages; the counts in `IngestSummary` stay exact.
struct DiagnosticLog {
    let file: String
    let cap: Int
    private(set) var items: [Diagnostic] = []
    private var counts: [Diagnostic.Code: Int] = [:]

    init(file: String, cap: Int) {
        self.file = file
        self.cap = cap
    }

    mutating func add(_ code: Diagnostic.Code, _ severity: Diagnostic.Severity, line: Int,
                      _ message: @autoclosure () -> String, series: String? = nil) {
        let n = counts[code, default: 0] + 1
        counts[code] = n
        guard n <= cap else { return }
        items.append(Diagnostic(file: file, line: line, severity: severity, code: code,
                                message: message(), series: series))
    }

    /// All diagnostics ordered by line, with one `suppressed` note per code that hit the cap.
    func finished() -> [Diagnostic] {
        var out = items.enumerated().sorted { a, b in
            a.element.line != b.element.line ? a.element.line < b.element.line : a.offset < b.offset
        }.map(\.element)
        for code in Diagnostic.Code.allCases {
            let n = counts[code, default: 0]
            if n > cap {
                out.append(Diagnostic(file: file, line: 0, severity: .info, code: .suppressed,
                                      message: "\(n - cap) more \(code.rawValue) diagnostics not shown (\(n) in all)"))
            }
        }
        return out
    }
}
