import Foundation

/// A backtest JSON file (`psm backtest --json`) that cannot be read or is not one; names the file.
package struct BacktestFileError: Error, CustomStringConvertible, Sendable {
    package let description: String
}

extension BacktestReport {
    /// Reads one backtest JSON file (`psm report --backtest`), with a message naming the file when it is not one.
    package static func load(path: String) throws(BacktestFileError) -> BacktestReport {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw BacktestFileError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do { return try decoder.decode(BacktestReport.self, from: data) } catch {
            throw BacktestFileError(description: "\(path) is not a psm backtest --json file: \(error)")
        }
    }
}
