import Forecasting
import Foundation
import ModelRegistry
import TimeSeries

/// `psm forecast` once its arguments are read: every input forecast by one engine (`AutoForecaster`
/// choosing per series), the forecast CSV (`series_id,step,timestamp,mean,q<level>…`, one column per
/// level, named as given; timestamp empty for integer-indexed input) and, for `auto`/`combination`,
/// each series' selection as JSON. Both files are written atomically.
package enum ForecastRun {
    /// What the run says about itself: each series' diagnostics and failures in order (for the
    /// terminal), and how many series were forecast and how many could not be.
    package struct Outcome: Sendable {
        package var notes: [String]
        public var written: Int
        public var failed: Int
    }

    /// One entry of the selection file: the model forecasting a series, the selection behind it
    /// (`SelectionDecision`: winner, rule, members' weights, calibrated CRPS per candidate and
    /// combination), or why none.
    struct SelectionEntry: Encodable {
        var series: String
        var model: String
        var selection: SelectionDecision?
        var error: String?
    }

    /// Reads `--quantiles 0.05,0.5,0.95`: the levels in increasing order, each with its CSV column
    /// name (`q` + the level as written).
    package static func levels(_ text: String) throws(InputsError) -> [(level: Double, name: String)] {
        var out: [(level: Double, name: String)] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let level = Double(part), level > 0, level < 1 else {
                throw InputsError("--quantiles: \"\(part)\" is not a level between 0 and 1")
            }
            out.append((level, "q" + part))
        }
        guard !out.isEmpty else { throw InputsError("--quantiles needs at least one level") }
        out.sort { $0.level < $1.level }
        for (a, b) in zip(out, out.dropFirst()) where a.level == b.level {
            throw InputsError("--quantiles: level \(a.name.dropFirst()) is given twice")
        }
        return out
    }

    /// Throws the engine's `ForecastError` as it is, and file errors.
    public static func run(_ forecaster: any Forecaster, inputs: [ForecastInput], horizon: Int,
                           levels: [(level: Double, name: String)], bounds: SupportBounds,
                           out: String, selection: String?) throws -> Outcome {
        let forecasts: [SeriesForecast]
        if let auto = forecaster as? AutoForecaster {
            let choices = try auto.choose(inputs, horizon: horizon, levels: levels.map(\.level))
            forecasts = choices.map(\.forecast)
            if let selection { try writeSelection(choices, to: selection) }
        } else {
            forecasts = try forecaster.forecast(inputs, horizon: horizon, levels: levels.map(\.level))
        }
        var csv = "series_id,step,timestamp,mean," + levels.map(\.name).joined(separator: ",") + "\n"
        var notes: [String] = []
        var failed = 0
        for forecast in forecasts {
            forecast.diagnostics.forEach { notes.append("\(forecast.seriesID): \($0)") }
            switch forecast.result {
            case .failure(let error):
                failed += 1
                notes.append("\(forecast.seriesID): no forecast: \(error.message)")
            case .success(var d):
                d.clamp(to: bounds)
                for h in 0..<d.horizon {
                    let time = d.grid.axis == .time ? Timestamp.format(d.grid.position(at: h)) : ""
                    let values = [d.mean[h]] + d.quantiles[h]
                    csv += "\(csvField(forecast.seriesID)),\(h + 1),\(time)," + values.map { "\($0)" }.joined(separator: ",") + "\n"
                }
            }
        }
        try AtomicFile.write(Data(csv.utf8), to: out)
        return Outcome(notes: notes, written: forecasts.count - failed, failed: failed)
    }

    static func writeSelection(_ choices: [AutoForecaster.Choice], to path: String) throws {
        let entries = choices.map { c in
            var error: String?
            if case .failure(let e) = c.forecast.result { error = e.message }
            return SelectionEntry(series: c.forecast.seriesID, model: c.forecast.model, selection: c.decision, error: error)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(entries), to: path)
    }

    /// A CSV field, quoted when it holds a comma, quote or newline.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
