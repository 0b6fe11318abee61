import ArgumentParser
import TimeSeries

/// `--lower` / `--upper`: the support of the series, into which every forecast is clipped
/// (`SupportBounds`; psm.toml's `[forecast] lower`/`upper` for `psm train`).
struct BoundsOptions: ParsableArguments {
    @Option(help: "Smallest possible value: no quantile or mean below it (e.g. 0 for demand).") var lower: Double?

    @Option(help: "Largest possible value: no quantile or mean above it (e.g. 100 for a percentage).")
    var upper: Double?

    var bounds: SupportBounds { SupportBounds(lower: lower, upper: upper) }

    func validate() throws {
        if let problem = bounds.problem { throw ValidationError("--lower/--upper: \(problem)") }
    }
}
