import TimeSeries

/// Reads wide CSV (one column per series) and NAB files (`timestamp,value`).
///
/// - The time column is the first named `timestamp`, `time` or `date` (any case), holding
///   ISO 8601 or integer timestamps. Without one, data rows are steps 0, 1, 2, … on an index
///   axis; a rejected row still uses up its step, so it becomes a gap rather than shifting
///   later rows.
/// - Wide series ids are `<file stem>/<column>` and their `group` is the file stem (the columns
///   describe one machine or pool and are sized together); `metric` is inferred from the column
///   name (`MetricName.infer`).
/// - A NAB file holds one series whose id is the file stem; its metric is inferred from the stem
///   and its group is left nil.
/// - A bad cell (empty, non-numeric, NaN/inf) drops only that cell; a bad timestamp or a wrong
///   field count drops the whole row.
enum WideCSVReader {
    static let timeColumnNames: Set<String> = ["timestamp", "time", "date"]

    static func read(_ tok: inout CSVTokenizer, header: [String], headerLine: Int, file: String, stem: String,
                     nab: Bool, options: IngestOptions, log: inout DiagnosticLog) throws(IngestError) -> ParsedFile {
        let lower = header.map { $0.lowercased() }
        let timeCol: Int?
        let valueCols: [Int]
        if nab {
            guard let t = lower.firstIndex(of: "timestamp"), let v = lower.firstIndex(of: "value") else {
                let missing = ["timestamp", "value"].filter { !lower.contains($0) }
                throw IngestError(.missingColumns, "NAB header lacks column(s) \(missing.joined(separator: ", ")); found \(header.joined(separator: ","))",
                                  file: file, line: headerLine)
            }
            timeCol = t
            valueCols = [v]
        } else {
            timeCol = lower.firstIndex { timeColumnNames.contains($0) }
            valueCols = header.indices.filter { $0 != timeCol }
            guard !valueCols.isEmpty else {
                throw IngestError(.missingColumns, "wide CSV has no value column besides its time column", file: file, line: headerLine)
            }
        }
        let width = header.count
        var parsed = ParsedFile(series: [], regressorNames: [], axis: .index)
        var rowPositions: [Int64] = [], rowLines: [Int32] = [], rowKinds: [UInt8] = []
        var columns = [[Double]](repeating: [], count: valueCols.count)
        var census = TimeKindCensus()
        var fields: [CSVField] = []
        fields.reserveCapacity(width + 2)
        var step: Int64 = -1
        let ids = valueCols.map { nab ? stem : stem + "/" + header[$0] }

        while let record = tok.next(into: &fields) {
            parsed.rowsRead += 1
            step += 1
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
            var position = step, kind = TimeKind.integer
            if let t = timeCol {
                guard let time = log.rowTime(tok, fields[t], line: line) else {
                    parsed.rowsRejected += 1
                    continue
                }
                (position, kind) = time
                census.note(kind, line: line)
            }
            for (c, col) in valueCols.enumerated() {
                let f = fields[col]
                var v = Double.nan
                switch FieldParser.number(tok.pointer(f), f.count) {
                case .value(let x):
                    v = x
                case .empty:
                    parsed.cellsRejected += 1
                    log.add(.emptyValue, nab ? .error : .warning, line: line,
                            "empty \(header[col]) value; treated as missing", series: ids[c])
                case .nonNumeric:
                    parsed.cellsRejected += 1
                    log.add(.nonNumericValue, .error, line: line,
                            "\(header[col]) value \"\(Header.excerpt(tok, f))\" is not a number; treated as missing", series: ids[c])
                case .nonFinite:
                    parsed.cellsRejected += 1
                    log.add(.nonFiniteValue, .error, line: line,
                            "\(header[col]) value \"\(Header.excerpt(tok, f))\" is not finite; treated as missing", series: ids[c])
                }
                columns[c].append(v)
            }
            rowPositions.append(position)
            rowLines.append(Int32(truncatingIfNeeded: line))
            rowKinds.append(kind.rawValue)
        }
        if nab { // a NAB row with no usable value is a rejected row, as in long CSV
            parsed.rowsRejected += parsed.cellsRejected
            parsed.cellsRejected = 0
        }

        for (c, col) in valueCols.enumerated() {
            var s = RawSeries(id: ids[c], metric: MetricName.infer(from: nab ? stem : header[col]),
                              group: nab ? nil : stem, regressorCount: 0)
            s.positions.reserveCapacity(rowPositions.count)
            for r in rowPositions.indices where !columns[c][r].isNaN {
                s.positions.append(rowPositions[r])
                s.values.append(columns[c][r])
                s.lines.append(rowLines[r])
                s.kinds.append(rowKinds[r])
            }
            parsed.series.append(s)
        }
        if timeCol == nil {
            parsed.axis = .index
            parsed.rowPositions = rowPositions
        } else {
            let decision = Header.applyTimeKinds(census, to: &parsed, log: &log)
            parsed.axis = decision.iso ? .time : options.integerTimestamps
            parsed.rowPositions = rowPositions.indices
                .filter { r in TimeKind(rawValue: rowKinds[r]).map { decision.rejected[$0] == nil } ?? false }
                .map { rowPositions[$0] }
                .sorted()
        }
        return parsed
    }
}

/// Guesses a metric name (cpu, memory, disk_io, net_io, tps, queue_depth) from a column name
/// or file stem by its words; nil when nothing matches.
package enum MetricName {
    package static func infer(from name: String) -> String? {
        let words = name.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        let set = Set(words)
        if set.contains("cpu") || set.contains("cpuutilization") { return "cpu" }
        if !set.isDisjoint(with: ["mem", "memory", "ram"]) { return "memory" }
        if !set.isDisjoint(with: ["disk", "iops"]) { return "disk_io" }
        if !set.isDisjoint(with: ["net", "network", "networkin", "networkout", "bandwidth"]) { return "net_io" }
        if !set.isDisjoint(with: ["queue", "backlog"]) { return "queue_depth" }
        if !set.isDisjoint(with: ["tps", "qps", "rps", "request", "requests", "transactions"]) { return "tps" }
        return nil
    }
}
