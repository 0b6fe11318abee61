@testable import ActuatorAPI
@testable import ActuatorCommands
import Actuator
import Features
import Foundation
import HTTPTypes
import Ingest
import Pipeline
import TimeSeries

/// One thing the fuzzer feeds: bytes in, an outcome out. A thrown error is a correct outcome
/// (it is summarised into the outcome); a trap, abort, uncaught signal or hang is a crash.
///
/// Every target goes through the same entry point the programs use, from the bytes on: the TOML
/// loaders decode UTF-8 the way their `load(path:)` does, the CSV readers take the bytes as a file
/// would give them, the API decoders take the request body as the route handlers do.
struct FuzzTarget: Sendable {
    let name: String
    /// What the target exercises, for `psm-fuzz list` and docs/fuzzing.md.
    let summary: String
    let dictionary: [String]
    let run: @Sendable ([UInt8]) -> String

    static let all: [FuzzTarget] = [
        trainingTOML, actuatorTOML, apiTOML, calendarTOML, csvLong, csvWide, csvNAB, replayCSV, apiNotice, apiMetrics,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The outcome of a thrown error, reduced to its shape, so that "horizon: expected an integer
    /// ≥ 1, got 0" and "… got 5" count as one: digits become `#`, quoted text ('…' or "…") is kept
    /// only when it reads like a name (letters, `_`, `.`, at most 24), runs of a character count
    /// once, and only the first 10 words are kept.
    static func shape(_ error: any Error) -> String { "\(type(of: error)): " + shape(String(describing: error)) }

    static func shape(_ text: String) -> String {
        var out = ""
        func append(_ ch: Unicode.Scalar) { if ch != out.unicodeScalars.last { out.unicodeScalars.append(ch) } }
        var quote: Unicode.Scalar?
        var quoted = ""
        for ch in text.unicodeScalars.prefix(400) {
            if let q = quote {
                if ch == q {
                    let name = quoted.unicodeScalars.count <= 24
                        && quoted.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == "_" || $0 == "." }
                    if name { out += quoted }
                    append(ch)
                    quote = nil
                    quoted = ""
                } else {
                    quoted.unicodeScalars.append(ch)
                }
                continue
            }
            if ch == "\"" || ch == "'" {
                quote = ch
                append(ch)
            } else if ("0"..."9").contains(ch) {
                append("#")
            } else {
                append(ch)
            }
        }
        return out.split(separator: " ").prefix(10).joined(separator: " ")
    }

    /// What `load(path:)` does with the file's bytes before parsing.
    static func text(_ bytes: [UInt8]) -> String? { String(data: Data(bytes), encoding: .utf8) }

    // MARK: TOML loaders

    static let tomlSyntax = [
        "=", " = ", "[", "]", "[[", "]]", "\"", "'", "\"\"\"", "'''", "{", "}", "{ ", " }", ",", ".", "#", "\n", "\n\n", "\\",
        "\\u0000", "\\uD800", "\\U0010FFFF", "\\n", "\\\"", "true", "false", "[]", "{}", "\"\"", "1979-05-27T07:32:00Z",
        "1979-05-27T00:32:00.999999-07:00", "1979-05-27T07:32:00", "1979-05-27", "07:32:00", "a.b.c", "\"a.b\"",
    ]
    static let trainingKeys = [
        "[data]", "[calendar]", "[forecast]", "[backtest]", "[models]", "[models.lstm]", "[models.arima]", "[calibration]",
        "[registry]", "[report]", "[train]", "[actuator]", "[api]", "inputs", "format", "aggregation", "fill", "step",
        "unix_timestamps", "db", "file", "notices", "hour_of_day", "day_of_week", "horizon", "levels", "season", "folds",
        "stride", "min_train", "candidates", "lstm", "arima", "hidden", "layers", "window", "epochs", "batches",
        "batch_size", "learning_rate", "embedding", "seed", "patience", "max_p", "max_q", "max_seasonal_p",
        "max_seasonal_q", "max_models", "max_harmonics", "method", "min_samples", "refresh", "origin_stride", "dir",
        "keep", "jobs", "store", "path", "group", "\"auto\"", "\"long\"", "\"wide\"", "\"nab\"", "\"mean\"", "\"max\"",
        "\"last\"", "\"none\"", "\"linear:3\"", "\"forward:0\"", "\"linear:9223372036854775807\"", "\"one_hot\"",
        "\"cyclic\"", "\"cqr\"", "\"cqr-asymmetric\"", "\"residual-quantile\"", "\"seasonal-naive\"", "\"arima\"", "\"lstm\"",
        "{ path = \"x.csv\", group = \"g\" }",
    ]
    static let actuatorKeys = [
        "[actuator]", "[actuator.costs]", "[actuator.sizing]", "[actuator.trigger]", "[actuator.cost_loop]",
        "[[actuator.hosts]]", "[[actuator.groups]]", "[registry]", "[calendar]", "store", "store_durability", "registry",
        "interval", "hypervisor", "boot_grace", "max_actions", "horizon", "levels", "monitoring_file", "costs", "sizing",
        "trigger", "cost_loop", "hosts", "groups", "miss", "reserve", "launch_delay", "lead_time", "learning_rate",
        "budget", "min", "max", "cooldown", "max_decrease", "utilisation", "activation_lead_time", "forecast_level",
        "window", "scale_in_utilisation", "scale_in_window", "name", "uri", "vcpus", "memory_mib", "units", "enabled",
        "series", "unit", "baseline_vcpu_fraction", "baseline_memory_fraction", "park", "running", "demand_metric",
        "units_per_metric", "kernel", "initrd", "cmdline", "virtualization", "machine", "serial_log_dir", "network", "dir", "file",
        "\"pause\"", "\"save\"", "\"process\"", "\"power-loss\"", "\"qemu\"", "\"kvm\"", "\"test\"", "\"q35\"",
        "\"test:///default\"", "[actuator.collect]", "collect", "retention", "timeout", "[[actuator.scrape]]", "scrape",
        "url", "metric", "labels", "kind", "as", "\"counter\"", "\"gauge\"", "\"http://10.0.0.5:9100/metrics\"",
        "{ job = \"web\" }",
    ]
    static let apiKeys = [
        "[api]", "listen", "tokens", "max_body_bytes", "write_rate", "write_burst", "max_samples_per_request",
        "metrics_require_token", "allow_unauthenticated", "allow_unauthenticated_remote", "idle_timeout", "header_timeout",
        "body_timeout", "max_connections", "\"0.0.0.0:8080\"", "\"[::1]:8080\"", "\":8080\"",
        "\"127.0.0.1:65536\"", "\"[::1\"", "\"host :1\"", "\"0123456789abcdef0123\"", "\"short\"", "\"tok en 0123456789abc\"",
    ]
    static let calendarKeys = [
        "time_zone", "[[holiday]]", "[[event]]", "holiday", "event", "name", "date", "rule", "duration_days", "kind",
        "start", "end", "recurrence", "until", "series", "groups", "multiplier", "level", "note", "\"UTC\"",
        "\"Europe/Berlin\"", "\"America/New_York\"", "\"Pacific/Kiritimati\"", "\"Etc/GMT+12\"", "\"Mars/Olympus\"",
        "\"holiday\"", "\"promotion\"", "\"notice\"", "\"calendar\"", "\"daily\"", "\"weekly\"", "\"monthly\"",
        "\"yearly\"", "\"12-25\"", "\"02-29\"", "\"02-30\"", "\"13-01\"", "\"0000-02-29\"", "\"9999-12-31\"",
        "\"4th thursday of november\"", "\"last monday of may\"", "\"1st sunday of january\"", "\"5th friday of february\"",
        "\"0th monday of may\"", "\"9223372036854775807th monday of may\"", "\"2026-11-27T00:00:00+01:00\"",
        "\"2026-03-29T02:30:00\"", "\"2026-10-25T02:30:00\"", "\"-2026-01-01\"", "\"99999-01-01\"", "0000-01-01",
        "9999-12-31T23:59:59", "9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59",
    ]

    static let trainingTOML = FuzzTarget(
        name: "training-toml", summary: "TrainingConfiguration.parse (psm train's psm.toml)",
        dictionary: tomlSyntax + trainingKeys
    ) { bytes in
        guard let text = text(bytes) else { return "not UTF-8" }
        do {
            let c = try TrainingConfiguration.parse(text, fileName: "fuzz.toml")
            return "ok \(c.sources.count > 0) \(c.candidates.count) \(c.levels.count)"
        } catch { return shape(error) }
    }

    static let actuatorTOML = FuzzTarget(
        name: "actuator-toml", summary: "ActuatorConfiguration.parse (psm-actuator's [actuator] and [registry] dir)",
        dictionary: tomlSyntax + actuatorKeys
    ) { bytes in
        guard let text = text(bytes) else { return "not UTF-8" }
        do {
            let c = try ActuatorConfiguration.parse(text, fileName: "fuzz.toml", baseDirectory: "/fuzz")
            return "ok \(c.hosts.count) \(c.groups.count) \(c.levels.count)"
        } catch { return shape(error) }
    }

    /// The file the `api-toml` target writes each input to (`loadAPIConfiguration` reads a path):
    /// in memory (/dev/shm) where there is one.
    static let apiFile = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm"
                          : FileManager.default.temporaryDirectory.path) + "/psm-fuzz-api-\(getpid()).toml"

    static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    static let apiTOML = FuzzTarget(
        name: "api-toml", summary: "loadAPIConfiguration + APIConfiguration.validate (psm-actuator's [api] table)",
        dictionary: tomlSyntax + apiKeys
    ) { bytes in
        guard writeFile(apiFile, bytes) else { return "cannot write the input" }
        do {
            guard let c = try loadAPIConfiguration(path: apiFile) else { return "no [api]" }
            try c.validate()
            return "ok \(c.tokens.count)"
        } catch { return shape(error) }
    }

    static let calendarTOML = FuzzTarget(
        name: "calendar-toml", summary: "CalendarFile.parse ([calendar] file: zone, holidays, events)",
        dictionary: tomlSyntax + calendarKeys
    ) { bytes in
        guard let text = text(bytes) else { return "not UTF-8" }
        do {
            let c = try CalendarFile.parse(text, fileName: "fuzz.toml")
            return "ok \(c.calendar.holidays.count) \(c.events.count)"
        } catch { return shape(error) }
    }

    // MARK: CSV readers

    static let csvTokens = [
        ",", "\n", "\r\n", "\r", "\"", "\"\"", "\",\"", " ", "\t", "series_id", "timestamp", "time", "date", "value",
        "metric", "group", "promo", "cpu", "cpu_util_percent", "web", "nan", "NaN", "-nan", "inf", "-inf", "",
        "2024-01-01T00:00:00Z", "2024-01-01 00:00:00", "2024-01-01T00:05:00+05:30", "2024-01-01", "2024-03-31T02:30:00",
        "+05:30", "Z", "-00:00", "T", ":", "1704067200", "1704067500", "-1", "1e308", "12.5",
    ]

    /// Options vary with the input (not with a random draw) so that a saved input replays as it ran.
    static func ingestOptions(_ bytes: [UInt8], format: InputFormat) -> IngestOptions {
        let h = fnv1a(bytes)
        var o = IngestOptions(format: (h & 3) == 0 ? .auto : format)
        o.integerTimestamps = (h >> 2) & 1 == 0 ? .index : .time
        o.aggregation = Aggregation.allCases[Int((h >> 3) % 3)]
        switch (h >> 5) % 4 {
        case 0: o.fill = .linear(maxSteps: 3)
        case 1: o.fill = .forward(maxSteps: 2)
        default: o.fill = .none
        }
        switch (h >> 7) % 8 {
        case 0: o.step = 1
        case 1: o.step = 300
        case 2: o.step = Int64.max
        default: o.step = nil
        }
        o.unknownTextColumns = (h >> 10) & 1 == 0 ? .reject : .skip
        o.maxDiagnosticsPerCode = (h >> 11) & 1 == 0 ? 1000 : 1
        // A stray timestamp may legitimately ask for a 10-million-step grid; the fuzzer keeps
        // grids small so that each execution stays fast (the limit's own check is what matters).
        o.maxGridLength = 100_000
        return o
    }

    static func ingest(_ bytes: [UInt8], format: InputFormat) -> String {
        do {
            let r = try IngestReader.read(data: Data(bytes), name: "fuzz.csv", options: ingestOptions(bytes, format: format))
            var codes: [String] = []
            for d in r.diagnostics where !codes.contains(d.code.rawValue) { codes.append(d.code.rawValue) }
            return "ok \(r.summary.format) \(r.series.count > 1) \(r.regressorNames.count > 0) \(codes.sorted())"
        } catch {
            return "IngestError: \(error.code)" + (error.line == nil ? "" : " at a line")
        }
    }

    static let csvLong = FuzzTarget(name: "csv-long", summary: "IngestReader.read, long format (series_id,timestamp,value…)",
                                    dictionary: csvTokens) { ingest($0, format: .long) }
    static let csvWide = FuzzTarget(name: "csv-wide", summary: "IngestReader.read, wide format (a column per series)",
                                    dictionary: csvTokens) { ingest($0, format: .wide) }
    static let csvNAB = FuzzTarget(name: "csv-nab", summary: "IngestReader.read, NAB format (timestamp,value)",
                                   dictionary: csvTokens) { ingest($0, format: .nab) }

    static let replayCSV = FuzzTarget(
        name: "replay-csv", summary: "ReplayTrace.parse (psm-actuator --replay FILE)", dictionary: csvTokens
    ) { bytes in
        guard let text = text(bytes) else { return "not UTF-8" }
        do {
            let trace = try ReplayTrace.parse(text, file: "fuzz.csv")
            return "ok \(trace.groups.count > 1) \(trace.steps.count > 1)"
        } catch let error as ReplayError {
            // The first words say which check refused the file; the rest quotes the input.
            return "ReplayError: " + shape(error.message).split(separator: " ").prefix(5).joined(separator: " ")
        } catch { return shape(error) }
    }

    // MARK: API request bodies

    static let jsonTokens = [
        "{", "}", "[", "]", ":", ",", "\"", "\"\"", "null", "true", "false", "\"group\"", "\"start\"", "\"end\"",
        "\"multiplier\"", "\"level\"", "\"note\"", "\"metric\"", "\"value\"", "\"time\"", "\"web\"", "\"demand_units\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u001f\"", "\"\\\\\"", "\"\\/\"", "\"\\x\"", "\"é\"",
        "1764400000", "1764410000", "1e400", "-1e400", "1E-7", "-0", "0.0e0", "{\"group\":\"web\",\"metric\":\"m\",\"value\":1}",
        "[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]", "{\"a\":{\"a\":{\"a\":", " ", "\n", "\t",
    ]

    static let apiNotice = FuzzTarget(
        name: "api-notice-json", summary: "POST /v1/notices body: JSONBody.decode(NoticeRequest) with its validation",
        dictionary: jsonTokens
    ) { bytes in
        do {
            let n = try JSONBody.decode(NoticeRequest.self, from: Data(bytes))
            return "ok \(n.multiplier != nil) \(n.note != nil)"
        } catch let error as APIError { return "APIError: \(error.status.code) " + shape(error.detail) } catch { return shape(error) }
    }

    static let apiMetrics = FuzzTarget(
        name: "api-metrics-json", summary: "POST /v1/metrics body: JSONBody.decode(MetricSamples) with its validation",
        dictionary: jsonTokens
    ) { bytes in
        do {
            let m = try JSONBody.decode(MetricSamples.self, from: Data(bytes))
            return "ok \(m.samples.count > 1) \(m.samples.contains { $0.time != nil })"
        } catch let error as APIError { return "APIError: \(error.status.code) " + shape(error.detail) } catch { return shape(error) }
    }
}
