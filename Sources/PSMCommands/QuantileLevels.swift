import ArgumentParser
import Foundation

/// Parses `--quantiles 0.05,0.5,0.95`, keeping each level's text for the CSV column name.
func parseQuantiles(_ text: String) throws -> [(level: Double, name: String)] {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    var out: [(Double, String)] = []
    for part in parts {
        guard let level = Double(part), level > 0, level < 1 else {
            throw ValidationError("--quantiles: \"\(part)\" is not a level between 0 and 1")
        }
        out.append((level, "q" + part))
    }
    guard !out.isEmpty else { throw ValidationError("--quantiles needs at least one level") }
    let sorted = out.sorted { $0.0 < $1.0 }
    for (a, b) in zip(sorted, sorted.dropFirst()) where a.0 == b.0 {
        throw ValidationError("--quantiles: level \(a.1.dropFirst()) is given twice")
    }
    return sorted
}
