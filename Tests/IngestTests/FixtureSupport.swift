import Foundation
import Testing
@testable import Ingest

/// The URL of a checked-in fixture.
func fixture(_ name: String) throws -> URL {
    let (stem, ext) = name.split(separator: ".").map(String.init).splitLast()
    return try #require(Bundle.module.url(forResource: stem, withExtension: ext, subdirectory: "Fixtures"))
}

/// Reads a fixture, failing the test on an error.
func readFixture(_ name: String, _ options: IngestOptions = IngestOptions()) throws -> IngestResult {
    try IngestReader.read(file: fixture(name), options: options)
}

/// The error thrown for a fixture, or nil if none.
func errorReading(_ name: String, _ options: IngestOptions = IngestOptions()) throws -> IngestError? {
    let url = try fixture(name)
    do {
        _ = try IngestReader.read(file: url, options: options)
        return nil
    } catch {
        return error
    }
}

/// `(line, code)` of each diagnostic, to compare against a listing by hand.
func lineCodes(_ r: IngestResult) -> [(Int, Diagnostic.Code)] { r.diagnostics.map { ($0.line, $0.code) } }

/// NaN-aware equality of value arrays (exact: every expected value is exactly representable
/// or computed the same way as the reader's mean).
func sameValues(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == $1 }
}

extension Array where Element == String {
    fileprivate func splitLast() -> (String, String) {
        count >= 2 ? (dropLast().joined(separator: "."), last ?? "") : (first ?? "", "")
    }
}
