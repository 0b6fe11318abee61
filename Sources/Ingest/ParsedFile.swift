import TimeSeries

/// What a format reader hands to the regulariser: raw series and row counts.
struct ParsedFile {
    var series: [RawSeries]
    var regressorNames: [String]
    var axis: TimeAxis
    var rowsRead = 0
    var rowsRejected = 0
    var cellsRejected = 0
    /// Wide files: the timestamps of all accepted rows, sorted; the step is inferred from these
    /// rather than from each column, whose missing cells would otherwise skew it.
    var rowPositions: [Int64]?
}

/// Header handling shared by the readers.
enum Header {
    /// The header's names, trimmed; throws on duplicates (compared case-insensitively).
    static func names(_ tokenizer: CSVTokenizer, _ fields: [CSVField], file: String, line: Int,
                      log: inout DiagnosticLog) throws(IngestError) -> [String] {
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (k, f) in fields.enumerated() {
            var name = trimmed(tokenizer.string(f))
            if name.isEmpty {
                name = "column\(k + 1)"
                log.add(.emptyColumnName, .info, line: line, "column \(k + 1) has no name; called \(name)")
            }
            if let other = seen[name.lowercased()] {
                throw IngestError(.duplicateColumns,
                                  "columns \(other + 1) and \(k + 1) are both named \"\(name)\"", file: file, line: line)
            }
            seen[name.lowercased()] = k
            names.append(name)
        }
        return names
    }

    static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let c = sub.first, c == " " || c == "\t" { sub.removeFirst() }
        while let c = sub.last, c == " " || c == "\t" { sub.removeLast() }
        return String(sub)
    }

    /// The file-level decision on timestamp kinds applied to every series' samples.
    @discardableResult
    static func applyTimeKinds(_ census: TimeKindCensus, to parsed: inout ParsedFile,
                               log: inout DiagnosticLog) -> TimeKindCensus.Decision {
        var decision = census.decide(log: &log)
        guard decision.isMixed else { return decision }
        var rejected = Set<Int32>()
        var series = parsed.series
        defer { parsed.series = series }
        for s in series.indices {
            let kinds = series[s].kinds
            guard kinds.contains(where: { TimeKind(rawValue: $0).map { decision.rejected[$0] != nil } ?? false }) else { continue }
            for i in kinds.indices {
                guard let kind = TimeKind(rawValue: kinds[i]), let (code, message) = decision.rejected[kind] else { continue }
                let line = series[s].lines[i]
                if rejected.insert(line).inserted {
                    log.add(code, .error, line: Int(line), message)
                }
            }
            series[s].filter { i in TimeKind(rawValue: kinds[i]).map { decision.rejected[$0] == nil } ?? true }
        }
        parsed.rowsRejected += rejected.count
        decision.rejectedLines = rejected
        return decision
    }

    /// A short, printable excerpt of a field for messages.
    static func excerpt(_ tokenizer: CSVTokenizer, _ f: CSVField) -> String {
        let s = tokenizer.string(f)
        return s.count > 40 ? String(s.prefix(40)) + "…" : s
    }
}
