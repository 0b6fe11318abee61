import TimeSeries

/// `psm inspect` after its arguments: every series of every file profiled, and the table it prints.
extension SeriesProfile {
    /// Profiles every series of every file; files that cannot be read are returned as messages.
    /// Up to `maxDiagnostics` warnings of each kind per file go to `note`.
    package static func inspect(files: [String], options: IngestOptions, maxDiagnostics: Int,
                               note: (String) -> Void) -> ([SeriesProfile], [String]) {
        var profiles: [SeriesProfile] = [], failures: [String] = []
        for file in files {
            do {
                let result = try IngestReader.read(path: file, options: options)
                summarize(result.diagnostics, file: file, perCode: maxDiagnostics).forEach(note)
                profiles += result.series.map { SeriesProfile(file: file, series: $0) }
            } catch {
                failures.append("\(error)")
            }
        }
        return (profiles, failures)
    }

    package static func table(_ profiles: [SeriesProfile]) -> String {
        let header = ["series", "points", "step", "first", "span", "missing", "gaps", "min", "mean", "max", "season"]
        let rows = profiles.map { p -> [String] in
            [p.series, String(p.points), Formatting.span(p.step, axis: p.axis),
             Formatting.position(p.first, axis: p.axis), Formatting.span(p.last - p.first, axis: p.axis),
             String(p.missing), String(p.gapRuns),
             p.min.map(Formatting.number) ?? "-", p.mean.map(Formatting.number) ?? "-",
             p.max.map(Formatting.number) ?? "-", p.seasonText]
        }
        return Formatting.table(header: header, rows: rows)
    }
}
