import Foundation
import Testing
@testable import Ingest
import TimeSeries

@Suite("Inputs that cannot be used at all throw IngestError")
struct WholeFileErrorTests {
    @Test func emptyFileThrowsEmptyFile() throws {
        let e = try #require(try errorReading("empty.csv"))
        #expect(e.code == .emptyFile)
        #expect(e.file.hasSuffix("Fixtures/empty.csv"))
    }

    @Test func byteOrderMarkAndBlankLinesCountAsEmpty() throws {
        let e = try #require(try errorReading("blank_lines_only.csv"))
        #expect(e.code == .emptyFile)
    }

    @Test func headerWithoutRowsThrowsHeaderOnlyAtLine1() throws {
        let e = try #require(try errorReading("header_only.csv"))
        #expect(e.code == .headerOnly)
        #expect(e.line == 1)
        #expect(e.description.contains("header_only.csv:1:"))
    }

    @Test func missingRequiredColumnIsNamed() throws {
        let e = try #require(try errorReading("missing_columns.csv"))
        #expect(e.code == .missingColumns)
        #expect(e.message.contains("required column(s) timestamp;"))
    }

    @Test func forcingLongOnANABFileReportsSeriesIdMissing() throws {
        let e = try #require(try errorReading("nab_small.csv", IngestOptions(format: .long)))
        #expect(e.code == .missingColumns)
        #expect(e.message.contains("series_id"))
    }

    @Test func duplicateColumnNamesAreRefusedCaseInsensitively() throws {
        let e = try #require(try errorReading("duplicate_columns.csv"))
        #expect(e.code == .duplicateColumns)
        #expect(e.message.contains("columns 3 and 4"))
    }

    @Test func unknownTextColumnIsListedWithItsFirstLine() throws {
        let e = try #require(try errorReading("unknown_text_column.csv"))
        #expect(e.code == .unknownTextColumns)
        #expect(e.message.contains("host"))
        #expect(!e.message.contains("promo"))
        #expect(e.line == 2)
    }

    @Test func unknownTextColumnCanBeSkippedKeepingNumericRegressors() throws {
        let r = try readFixture("unknown_text_column.csv", IngestOptions(unknownTextColumns: .skip))
        #expect(r.regressorNames == ["promo"])
        #expect(r.regressors["host"] == nil)
        #expect(r.regressors["promo"]?.first?.values == [0, 1])
        #expect(r.diagnostics.map(\.code) == [.unknownColumnSkipped])
        #expect(r.diagnostics.first?.line == 2)
    }

    @Test func allRowsRejectedThrowsNoValidRowsWithTheirDiagnostics() throws {
        let e = try #require(try errorReading("all_rejected.csv"))
        #expect(e.code == .noValidRows)
        #expect(e.line == 2)
        #expect(e.diagnostics.map(\.line) == [2, 3])
        #expect(e.diagnostics.map(\.code) == [.nonNumericValue, .emptyValue])
    }

    @Test func missingFileThrowsFileNotReadable() {
        #expect(throws: IngestError.self) { try IngestReader.read(path: "/nonexistent/psm/none.csv") }
        do {
            _ = try IngestReader.read(path: "/nonexistent/psm/none.csv")
        } catch {
            #expect(error.code == .fileNotReadable)
        }
    }

    @Test func nonPositiveStepOptionIsRejected() throws {
        let e = try #require(try errorReading("gaps.csv", IngestOptions(step: 0)))
        #expect(e.code == .invalidOptions)
    }
}
