import Foundation

extension EvaluationReport {
    /// The report as pretty-printed JSON with sorted keys (NaN and infinities as the strings
    /// "NaN", "Infinity", "-Infinity", which `decode(json:)` reads back).
    package func json() throws -> Data {
        try Self.encoder.encode(self)
    }

    /// Reads a report written by `json()`.
    package static func decode(json data: Data) throws -> EvaluationReport {
        try decoder.decode(EvaluationReport.self, from: data)
    }

    /// The report as one self-contained HTML page (inline CSS and SVG, nothing fetched).
    package func html() -> String {
        ReportPage.render(self)
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }
}
