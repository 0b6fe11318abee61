/// Samples of one series as read, before regularisation: parallel arrays in file order.
struct RawSeries {
    var id: String
    var metric: String?
    var group: String?
    var positions: [Int64] = []
    var values: [Double] = []
    /// 1-based source line of each sample.
    var lines: [Int32] = []
    /// `TimeKind` raw value of each sample's timestamp.
    var kinds: [UInt8] = []
    /// One array per regressor column, parallel to `values` (NaN = missing cell).
    var regressors: [[Double]]

    init(id: String, metric: String?, group: String?, regressorCount: Int) {
        self.id = id
        self.metric = metric
        self.group = group
        regressors = Array(repeating: [], count: regressorCount)
    }

    var count: Int { positions.count }

    @inline(__always)
    mutating func append(position: Int64, value: Double, line: Int, kind: TimeKind) {
        positions.append(position)
        values.append(value)
        lines.append(Int32(truncatingIfNeeded: line))
        kinds.append(kind.rawValue)
    }

    /// Keeps only the samples whose index passes `keep`.
    mutating func filter(_ keep: (Int) -> Bool) {
        var out = RawSeries(id: id, metric: metric, group: group, regressorCount: regressors.count)
        for i in 0..<count where keep(i) {
            out.positions.append(positions[i])
            out.values.append(values[i])
            out.lines.append(lines[i])
            out.kinds.append(kinds[i])
            for r in regressors.indices { out.regressors[r].append(regressors[r][i]) }
        }
        self = out
    }
}

/// Counts the timestamp kinds of a file so that one kind, and one zone style, can be kept.
///
/// Policy (documented in docs/ingest.md):
/// - ISO and integer timestamps in one file: the kind of the majority of rows wins (a tie goes
///   to the kind of the first row); rows of the other kind are rejected (`mixedTimestampKinds`).
/// - ISO with and without offsets: when every offset is zero (`Z`, `+00:00`) the naive rows
///   already agree with "UTC when no offset" and are kept with one `naiveTimesAsUTC` warning;
///   otherwise the majority style wins (tie → first row's style) and the other rows are
///   rejected (`mixedZoneStyles`), because a naive time beside `+02:00` is ambiguous.
struct TimeKindCensus {
    private var counts = [Int](repeating: 0, count: 4)
    private var firstKind: TimeKind?
    private var firstISOKind: TimeKind?
    private var firstNaiveLine = 0

    @inline(__always)
    mutating func note(_ kind: TimeKind, line: Int) {
        counts[Int(kind.rawValue)] += 1
        if firstKind == nil { firstKind = kind }
        if kind.isISO, firstISOKind == nil { firstISOKind = kind }
        if kind == .isoNaive, firstNaiveLine == 0 { firstNaiveLine = line }
    }

    /// The decision: which kinds to reject, and the reason per rejected kind.
    struct Decision {
        var rejected: [TimeKind: (Diagnostic.Code, String)] = [:]
        /// The surviving kind is ISO (time axis) rather than integer.
        var iso = false
        /// Lines of the rows rejected by this decision (filled in by `Header.applyTimeKinds`).
        var rejectedLines: Set<Int32> = []
        var isMixed: Bool { !rejected.isEmpty }
    }

    func decide(log: inout DiagnosticLog) -> Decision {
        var d = Decision()
        let integer = counts[0], naive = counts[1], offset = counts[2], utc = counts[3]
        let iso = naive + offset + utc
        d.iso = iso > 0
        if iso > 0, integer > 0 {
            let isoWins = iso > integer || (iso == integer && firstKind?.isISO == true)
            d.iso = isoWins
            if isoWins {
                d.rejected[.integer] = (.mixedTimestampKinds,
                    "integer timestamp in a file of ISO 8601 timestamps (\(iso) ISO rows, \(integer) integer rows); row rejected")
            } else {
                let reason = (Diagnostic.Code.mixedTimestampKinds,
                    "ISO 8601 timestamp in a file of integer step indices (\(integer) integer rows, \(iso) ISO rows); row rejected")
                for k in [TimeKind.isoNaive, .isoOffset, .isoUTC] { d.rejected[k] = reason }
                return d
            }
        }
        guard naive > 0, offset + utc > 0 else { return d }
        if offset == 0 {
            log.add(.naiveTimesAsUTC, .warning, line: firstNaiveLine,
                    "\(naive) timestamps without an offset were read as UTC beside \(utc) UTC-offset timestamps")
            return d
        }
        let withOffset = offset + utc
        let offsetWins = withOffset > naive || (withOffset == naive && firstISOKind?.hasOffset == true)
        if offsetWins {
            d.rejected[.isoNaive] = (.mixedZoneStyles,
                "timestamp without a UTC offset in a file whose timestamps carry offsets (\(withOffset) with, \(naive) without); row rejected")
        } else {
            let reason = (Diagnostic.Code.mixedZoneStyles,
                "timestamp with a UTC offset in a file whose timestamps carry none (\(naive) without, \(withOffset) with); row rejected")
            d.rejected[.isoOffset] = reason
            d.rejected[.isoUTC] = reason
        }
        return d
    }
}
