import Foundation
import TimeSeries

/// Counts for one file, before and after regularisation.
package struct IngestSummary: Sendable, Hashable {
    package var file: String
    /// The format the file was read as (never `.auto`).
    package var format: InputFormat
    /// Data records read (header and blank lines excluded).
    package var rowsRead: Int
    /// Records dropped whole (bad timestamp, bad value in long/NAB, wrong field count, mixed kinds…).
    package var rowsRejected: Int
    /// Single cells dropped while the rest of the row was kept (wide values, long regressors).
    package var cellsRejected: Int
    /// Extra rows whose timestamp repeated an earlier one of the same series.
    package var duplicates: Int
    /// Rows earlier than a preceding row of the same series (they were sorted).
    package var outOfOrder: Int
    /// Samples combined with a different timestamp in the same grid step.
    package var resampled: Int
    /// Grid steps that had no sample (before filling).
    package var gaps: Int
    /// Grid steps filled by the `GapFill` policy.
    package var filled: Int
    /// Series left out (single point, grid too long).
    package var seriesSkipped: Int
}

/// What reading one file produced.
package struct IngestResult: Sendable {
    /// The regular series, in order of first appearance in the file.
    package var series: [Series]
    /// Regressor name → one series per entry of `series` (same order, ids and grids).
    package var regressors: [String: [Series]]
    /// Regressor names in header order.
    package var regressorNames: [String]
    /// Every rejected or adjusted row, ordered by line.
    package var diagnostics: [Diagnostic]
    package var summary: IngestSummary
}

/// Reads long, wide and NAB CSV files into regular series.
package enum IngestReader {
    /// Reads and regularises the file at `file`.
    package static func read(file: URL, options: IngestOptions = IngestOptions()) throws(IngestError) -> IngestResult {
        try read(file: file, displayPath: file.path, options: options)
    }

    /// Reads the file at `path`; diagnostics name it as given (relative paths stay relative).
    package static func read(path: String, options: IngestOptions = IngestOptions()) throws(IngestError) -> IngestResult {
        try read(file: URL(fileURLWithPath: path), displayPath: path, options: options)
    }

    private static func read(file: URL, displayPath path: String, options: IngestOptions) throws(IngestError) -> IngestResult {
        let data: Data
        do {
            data = try Data(contentsOf: file, options: [.alwaysMapped])
        } catch {
            throw IngestError(.fileNotReadable, "cannot read file: \(error.localizedDescription)", file: path, cause: error)
        }
        let stem = file.deletingPathExtension().lastPathComponent
        return try data.withUnsafeBytes { bytes in
            Result { () throws(IngestError) in try read(bytes: bytes, name: path, stem: stem, options: options) }
        }.get()
    }

    /// Reads CSV text held in memory; `name` is used in diagnostics and its stem in NAB/wide ids.
    package static func read(data: Data, name: String, options: IngestOptions = IngestOptions()) throws(IngestError) -> IngestResult {
        let stem = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        return try data.withUnsafeBytes { bytes in
            Result { () throws(IngestError) in try read(bytes: bytes, name: name, stem: stem, options: options) }
        }.get()
    }

    /// The format `.auto` picks for a header: `series_id` → long; exactly `timestamp,value` → NAB; else wide.
    package static func detectFormat(header: [String]) -> InputFormat {
        let lower = header.map { $0.lowercased() }
        if lower.contains("series_id") { return .long }
        if lower == ["timestamp", "value"] { return .nab }
        return .wide
    }

    static func read(bytes: UnsafeRawBufferPointer, name: String, stem: String,
                     options: IngestOptions) throws(IngestError) -> IngestResult {
        if let step = options.step, step <= 0 {
            throw IngestError(.invalidOptions, "step must be positive, got \(step)", file: name)
        }
        guard options.maxDiagnosticsPerCode >= 0, options.maxGridLength > 0 else {
            throw IngestError(.invalidOptions, "maxDiagnosticsPerCode must be ≥ 0 and maxGridLength > 0", file: name)
        }
        var log = DiagnosticLog(file: name, cap: options.maxDiagnosticsPerCode)
        var tok = CSVTokenizer(bytes)
        var fields: [CSVField] = []
        guard let headerRecord = tok.next(into: &fields) else {
            throw IngestError(.emptyFile, "file is empty", file: name)
        }
        let header = try Header.names(tok, fields, file: name, line: headerRecord.line, log: &log)
        let format = options.format == .auto ? detectFormat(header: header) : options.format
        var parsed: ParsedFile
        switch format {
        case .long:
            parsed = try LongCSVReader.read(&tok, header: header, headerLine: headerRecord.line, file: name,
                                            options: options, log: &log)
        case .wide, .nab, .auto:
            parsed = try WideCSVReader.read(&tok, header: header, headerLine: headerRecord.line, file: name, stem: stem,
                                            nab: format == .nab, options: options, log: &log)
        }
        guard parsed.rowsRead > 0 else {
            throw IngestError(.headerOnly, "file has a header and no data rows", file: name, line: headerRecord.line)
        }
        guard parsed.series.contains(where: { $0.count > 0 }) else {
            let diagnostics = log.finished()
            let first = diagnostics.first.map { "; first problem at line \($0.line): \($0.message)" } ?? ""
            throw IngestError(.noValidRows, "none of the \(parsed.rowsRead) data rows is usable\(first)",
                              file: name, line: diagnostics.first?.line, diagnostics: diagnostics)
        }
        let regular = Regularizer(options: options, axis: parsed.axis)
            .run(parsed.series, regressorCount: parsed.regressorNames.count, rowPositions: parsed.rowPositions, log: &log)
        var regressors: [String: [Series]] = [:]
        for (r, regressorName) in parsed.regressorNames.enumerated() { regressors[regressorName] = regular.regressors[r] }
        let summary = IngestSummary(file: name, format: format, rowsRead: parsed.rowsRead, rowsRejected: parsed.rowsRejected,
                                    cellsRejected: parsed.cellsRejected, duplicates: regular.duplicates,
                                    outOfOrder: regular.outOfOrder, resampled: regular.resampled, gaps: regular.gaps,
                                    filled: regular.filled, seriesSkipped: regular.skipped)
        return IngestResult(series: regular.series, regressors: regressors, regressorNames: parsed.regressorNames,
                            diagnostics: log.finished(), summary: summary)
    }
}
