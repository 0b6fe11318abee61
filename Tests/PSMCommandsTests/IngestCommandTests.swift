import ArgumentParser
import Foundation
import Ingest
import MetricStore
import Testing
@testable import PSMCommands
import TimeSeries

@Suite struct IngestCommandTests {
    static let longCSV = """
        series_id,timestamp,value,promo,group
        web-1,2026-01-01T00:00:00Z,10,0,web
        web-1,2026-01-01T00:05:00Z,12,1,web
        web-1,2026-01-01T00:10:00Z,oops,1,web
        web-1,2026-01-01T00:15:00Z,11,0,web
        db-1,2026-01-01T00:00:00Z,3,0,db
        db-1,2026-01-01T00:05:00Z,4,0,db

        """

    @Test func storesSeriesRegressorsAndEventsAndReportsRejectedRows() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let file = try dir.file("m.csv", Self.longCSV)
        let calendar = try dir.file("c.toml", """
            [[event]]
            name = "sale"
            kind = "promotion"
            start = "2026-01-01T00:05:00Z"
            end = "2026-01-01T00:10:00Z"

            """)
        let db = dir.path + "/m.sqlite"
        let summary = try IngestJob.run(files: [file], into: db, calendarPath: calendar,
                                        options: IngestOptions(), maxDiagnostics: 0, log: { _ in })
        #expect(summary.rowsRead == 6 && summary.rowsRejected == 1)
        #expect(summary.events == 1)
        let store = try MetricStore(path: db)
        let keys = try store.listSeries().map(\.key)
        #expect(keys == ["db-1", "db-1:promo", "web-1", "web-1:promo"])
        let web = try #require(try store.series(key: "web-1"))
        // The rejected 00:10 row is a gap on the 5-minute grid.
        #expect(web.values.count == 4 && web.values[2].isNaN && web.values[3] == 11)
        #expect(web.group == "web")
        let promo = try #require(try store.series(key: "web-1:promo"))
        #expect(promo.values[1] == 1)
        #expect(try store.events().count == 1)
        // Samples: web-1 3 + its promo 3 (the rejected row is gone) + db-1 2 + promo 2.
        #expect(summary.samples == 10)
    }

    @Test func oneUnusableFileMeansNothingIsWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        _ = try dir.file("a-good.csv", Self.longCSV)
        _ = try dir.file("b-header-only.csv", "series_id,timestamp,value\n")
        let db = dir.path + "/m.sqlite"
        #expect(throws: (any Error).self) {
            try runPSM(["ingest", dir.path, "--db", db])
        }
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func reIngestingReplacesValuesInsteadOfDuplicatingThem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let file = try dir.file("m.csv", Self.longCSV)
        let db = dir.path + "/m.sqlite"
        try runPSM(["ingest", file, "--db", db, "--diagnostics", "0"])
        let changed = try dir.file("m.csv", Self.longCSV.replacingOccurrences(of: "00:15:00Z,11", with: "00:15:00Z,99"))
        try runPSM(["ingest", changed, "--db", db, "--diagnostics", "0"])
        let store = try MetricStore(path: db)
        #expect(try store.listSeries().first { $0.key == "web-1" }?.sampleCount == 3)
        #expect(try store.latest(key: "web-1")?.value == 99)
    }

    @Test func aFileThatIsNotADatabaseIsAClearErrorAndStaysUntouched() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let file = try dir.file("m.csv", Self.longCSV)
        let db = try dir.file("notes.sqlite", "these are not the droids")
        do {
            try runPSM(["ingest", file, "--db", db])
            Issue.record("expected an error")
        } catch {
            #expect(PSM.message(for: error).contains("notes.sqlite"))
        }
        #expect(try String(contentsOfFile: db, encoding: .utf8) == "these are not the droids")
    }
}
