import ArgumentParser
import Foundation
import Ingest
import TimeSeries

extension InputFormat: ExpressibleByArgument {}
extension Aggregation: ExpressibleByArgument {}

/// The reading options every command that takes CSV input shares.
struct InputOptions: ParsableArguments {
    @Option(help: "Input layout: auto, long, wide or nab (auto decides from the header).")
    var format: InputFormat = .auto

    @Option(help: "Grid step in axis units (seconds, or steps for integer-indexed input); inferred when omitted.")
    var step: Int64?

    @Option(help: "How samples in one grid step are combined: mean, max or last.") var aggregation: Aggregation = .mean

    @Option(help: ArgumentHelp("Gap filling: none, linear:N or forward:N (runs of at most N missing steps).",
                               valueName: "policy"))
    var fill: String = "none"

    @Flag(help: "Read integer timestamps as Unix seconds instead of step indices.") var unixTimestamps = false

    @Flag(help: "Drop long-CSV text columns psm does not know instead of refusing the file.")
    var skipUnknownColumns = false

    func ingestOptions() throws -> IngestOptions {
        guard let gapFill = GapFill(policy: fill) else {
            throw ValidationError("--fill must be none, linear:N or forward:N with N > 0, got \"\(fill)\"")
        }
        return IngestOptions(format: format, step: step, aggregation: aggregation, fill: gapFill,
                             integerTimestamps: unixTimestamps ? .time : .index,
                             unknownTextColumns: skipUnknownColumns ? .skip : .reject)
    }
}

/// Expands the command's path arguments (`CSVFiles.expand`), as a usage error.
func csvFiles(in paths: [String]) throws -> [String] {
    do { return try CSVFiles.expand(paths) } catch { throw ValidationError("\(error.file): \(error.message)") }
}

/// Writes to standard error (progress, diagnostics), never to the data on standard output.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The JSON every `--json` prints or writes: indented, keys sorted, slashes as they are.
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
