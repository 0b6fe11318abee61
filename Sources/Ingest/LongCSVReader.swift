import TimeSeries

/// Reads the canonical long CSV: `series_id,timestamp,value` plus optional `metric`, `group`
/// and numeric regressor columns, in any column order and any row order.
///
/// A series is identified by `series_id` and `metric` together. When one `series_id` carries
/// several metrics, each resulting `Series.id` becomes `<series_id>/<metric>` (one
/// `seriesIdRenamed` note each); otherwise the id is `series_id` as written. `group` is an
/// attribute: the first non-empty value of a series wins and a different later value is kept
/// out with a `conflictingAttribute` warning (the row's sample is still used).
enum LongCSVReader {
    /// A regressor cell that could not be used, reported only if its column turns out numeric.
    private struct PendingCell {
        var line: Int32
        var code: Diagnostic.Code
        var text: String?
    }

    private struct RegressorColumn {
        var name: String
        var index: Int
        var numeric = 0
        var text = 0
        var firstText: (line: Int, text: String)?
        var pending: [PendingCell] = []
    }

    static func read(_ tok: inout CSVTokenizer, header: [String], headerLine: Int, file: String,
                     options: IngestOptions, log: inout DiagnosticLog) throws(IngestError) -> ParsedFile {
        let lower = header.map { $0.lowercased() }
        let missing = ["series_id", "timestamp", "value"].filter { !lower.contains($0) }
        guard missing.isEmpty else {
            throw IngestError(.missingColumns, "long CSV header lacks required column(s) \(missing.joined(separator: ", ")); found \(header.joined(separator: ","))",
                              file: file, line: headerLine)
        }
        let idCol = lower.firstIndex(of: "series_id") ?? 0
        let timeCol = lower.firstIndex(of: "timestamp") ?? 0
        let valueCol = lower.firstIndex(of: "value") ?? 0
        let metricCol = lower.firstIndex(of: "metric")
        let groupCol = lower.firstIndex(of: "group")
        let known: Set<Int> = Set([idCol, timeCol, valueCol] + [metricCol, groupCol].compactMap { $0 })
        var regressors = header.indices.filter { !known.contains($0) }.map { RegressorColumn(name: header[$0], index: $0) }
        let width = header.count

        var parsed = ParsedFile(series: [], regressorNames: regressors.map(\.name), axis: .index)
        var table: [String: Int] = [:]
        var census = TimeKindCensus()
        var fields: [CSVField] = []
        fields.reserveCapacity(width + 2)
        var regressorValues = [Double](repeating: .nan, count: regressors.count)
        // The previous accepted row's id and metric bytes: files are usually grouped by series,
        // so most rows reuse the last lookup without building a String.
        var lastId = UnsafeRawBufferPointer(start: nil, count: 0)
        var lastMetric = UnsafeRawBufferPointer(start: nil, count: 0)
        var lastGroup = UnsafeRawBufferPointer(start: nil, count: 0)
        var lastSeries = -1

        while let record = tok.next(into: &fields) {
            parsed.rowsRead += 1
            let line = record.line
            guard fields.count == width else {
                log.add(.wrongFieldCount, .error, line: line, "expected \(width) fields, found \(fields.count); row rejected")
                parsed.rowsRejected += 1
                continue
            }
            guard !record.malformed else {
                log.add(.malformedQuotes, .error, line: line, "unbalanced or misplaced quotes; row rejected")
                parsed.rowsRejected += 1
                continue
            }
            let idField = fields[idCol]
            let (_, idLength) = FieldParser.trim(tok.pointer(idField), idField.count)
            guard idLength > 0 else {
                log.add(.emptySeriesId, .error, line: line, "empty series_id; row rejected")
                parsed.rowsRejected += 1
                continue
            }
            guard let (position, kind) = log.rowTime(tok, fields[timeCol], line: line) else {
                parsed.rowsRejected += 1
                continue
            }
            let vf = fields[valueCol]
            let value: Double
            switch FieldParser.number(tok.pointer(vf), vf.count) {
            case .value(let v):
                value = v
            case .empty:
                log.add(.emptyValue, .error, line: line, "empty value; row rejected (its step becomes a gap)")
                parsed.rowsRejected += 1
                continue
            case .nonNumeric:
                log.add(.nonNumericValue, .error, line: line, "value \"\(Header.excerpt(tok, vf))\" is not a number; row rejected")
                parsed.rowsRejected += 1
                continue
            case .nonFinite:
                log.add(.nonFiniteValue, .error, line: line,
                        "value \"\(Header.excerpt(tok, vf))\" is not finite; row rejected (its step becomes a gap)")
                parsed.rowsRejected += 1
                continue
            }

            let idBytes = tok.bytes(idField)
            let metricBytes = metricCol.map { tok.bytes(fields[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
            let s: Int
            if lastSeries >= 0, tok.equal(idField, lastId), metricCol.map({ tok.equal(fields[$0], lastMetric) }) ?? true {
                s = lastSeries
            } else {
                let id = Header.trimmed(tok.string(idField))
                let metricText = metricCol.map { Header.trimmed(tok.string(fields[$0])) }
                let metric = metricText.flatMap { $0.isEmpty ? nil : $0 }
                let key = metric.map { id + "\u{0}" + $0 } ?? id
                if let existing = table[key] {
                    s = existing
                } else {
                    s = parsed.series.count
                    table[key] = s
                    parsed.series.append(RawSeries(id: id, metric: metric, group: nil, regressorCount: regressors.count))
                }
                lastId = idBytes
                lastMetric = metricBytes
                lastGroup = UnsafeRawBufferPointer(start: nil, count: 0)
                lastSeries = s
            }
            if let g = groupCol, lastGroup.baseAddress == nil || !tok.equal(fields[g], lastGroup) {
                let group = Header.trimmed(tok.string(fields[g]))
                if !group.isEmpty {
                    if let current = parsed.series[s].group {
                        if current != group {
                            log.add(.conflictingAttribute, .warning, line: line,
                                    "group \"\(group)\" differs from \"\(current)\" given earlier for series \(parsed.series[s].id); first value kept",
                                    series: parsed.series[s].id)
                        }
                    } else {
                        parsed.series[s].group = group
                    }
                }
                lastGroup = tok.bytes(fields[g])
            }

            for r in regressors.indices {
                let f = fields[regressors[r].index]
                switch FieldParser.number(tok.pointer(f), f.count) {
                case .value(let v):
                    regressors[r].numeric += 1
                    regressorValues[r] = v
                case .empty:
                    regressors[r].pending.append(PendingCell(line: Int32(line), code: .emptyValue, text: nil))
                    regressorValues[r] = .nan
                case .nonNumeric:
                    let text = Header.excerpt(tok, f)
                    regressors[r].text += 1
                    if regressors[r].firstText == nil { regressors[r].firstText = (line, text) }
                    regressors[r].pending.append(PendingCell(line: Int32(line), code: .nonNumericValue, text: text))
                    regressorValues[r] = .nan
                case .nonFinite:
                    regressors[r].numeric += 1
                    regressors[r].pending.append(PendingCell(line: Int32(line), code: .nonFiniteValue, text: Header.excerpt(tok, f)))
                    regressorValues[r] = .nan
                }
                parsed.series[s].regressors[r].append(regressorValues[r])
            }
            parsed.series[s].append(position: position, value: value, line: line, kind: kind)
            census.note(kind, line: line)
        }

        let decision = Header.applyTimeKinds(census, to: &parsed, log: &log)
        parsed.axis = decision.iso ? .time : options.integerTimestamps
        try resolveRegressors(&regressors, parsed: &parsed, file: file, options: options,
                              skipping: decision.rejectedLines, log: &log)
        renameSharedIds(&parsed.series, log: &log)
        return parsed
    }

    /// Text-only extra columns are refused (or dropped); the cell problems of numeric ones are reported.
    private static func resolveRegressors(_ regressors: inout [RegressorColumn], parsed: inout ParsedFile, file: String,
                                          options: IngestOptions, skipping rejectedLines: Set<Int32>,
                                          log: inout DiagnosticLog) throws(IngestError) {
        let textColumns = regressors.indices.filter { regressors[$0].text > 0 && regressors[$0].numeric == 0 }
        if !textColumns.isEmpty {
            let list = textColumns.map { r in
                let first = regressors[r].firstText.map { " (\"\($0.text)\" at line \($0.line))" } ?? ""
                return regressors[r].name + first
            }
            switch options.unknownTextColumns {
            case .reject:
                throw IngestError(.unknownTextColumns,
                                  "unknown text column(s) \(list.joined(separator: ", ")); extra columns must be numeric regressors (known text columns: metric, group)",
                                  file: file, line: textColumns.compactMap { regressors[$0].firstText?.line }.min())
            case .skip:
                for (r, text) in zip(textColumns, list) {
                    log.add(.unknownColumnSkipped, .warning, line: regressors[r].firstText?.line ?? 0,
                            "unknown text column \(text) skipped")
                }
                let drop = Set(textColumns)
                for s in parsed.series.indices {
                    parsed.series[s].regressors = parsed.series[s].regressors.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
                }
                regressors = regressors.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
                parsed.regressorNames = regressors.map(\.name)
            }
        }
        for column in regressors {
            for cell in column.pending where !rejectedLines.contains(cell.line) {
                parsed.cellsRejected += 1
                switch cell.code {
                case .emptyValue:
                    log.add(.emptyValue, .warning, line: Int(cell.line), "empty \(column.name) value; treated as missing")
                case .nonFiniteValue:
                    log.add(.nonFiniteValue, .error, line: Int(cell.line),
                            "\(column.name) value \"\(cell.text ?? "")\" is not finite; treated as missing")
                default:
                    log.add(.nonNumericValue, .error, line: Int(cell.line),
                            "\(column.name) value \"\(cell.text ?? "")\" is not a number; treated as missing")
                }
            }
        }
    }

    private static func renameSharedIds(_ series: inout [RawSeries], log: inout DiagnosticLog) {
        var metricsPerId: [String: Int] = [:]
        for s in series { metricsPerId[s.id, default: 0] += 1 }
        for i in series.indices where metricsPerId[series[i].id, default: 0] > 1 {
            guard let metric = series[i].metric else { continue }
            let old = series[i].id
            series[i].id = old + "/" + metric
            log.add(.seriesIdRenamed, .info, line: Int(series[i].lines.first ?? 0),
                    "series_id \(old) carries several metrics; this one is \(series[i].id)", series: series[i].id)
        }
    }
}
