import Foundation
import Ingest
import Testing
import TimeSeries
@testable import PSMCommands

@Suite struct InspectCommandTests {
    @Test func profilesLengthGapsRangeAndSeason() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // Hourly, 10 days of a daily sine, with hours 5–7 of day 2 missing (one gap run of 3).
        var rows = ["timestamp,value"]
        for h in 0..<240 where !(29...31).contains(h) {
            let value = 50 + 10 * sin(2 * Double.pi * Double(h) / 24)
            rows.append("\(Self.iso(h)),\(value)")
        }
        let file = try dir.file("daily.csv", rows.joined(separator: "\n") + "\n")
        let (profiles, failures) = SeriesProfile.inspect(files: [file], options: IngestOptions(), maxDiagnostics: 0, note: printError)
        #expect(failures.isEmpty)
        let p = try #require(profiles.first)
        #expect(p.points == 240)
        #expect(p.step == 3600)
        #expect(p.missing == 3 && p.gapRuns == 1 && p.longestGap == 3)
        #expect(p.last - p.first == 239 * 3600)
        #expect(abs((p.max ?? 0) - 60) < 1e-9 && abs((p.min ?? 0) - 40) < 1e-9)
        #expect(p.seasonSteps == 24)
        #expect(p.seasonText.hasPrefix("24 (1d)"))
    }

    @Test func anUnusableFileIsReportedAndTheOthersAreStillInspected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let good = try dir.file("good.csv", "timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,2\n")
        let empty = try dir.file("empty.csv", "")
        let headerOnly = try dir.file("header.csv", "series_id,timestamp,value\n")
        let (profiles, failures) = SeriesProfile.inspect(files: try csvFiles(in: [dir.path]), options: IngestOptions(),
                                                         maxDiagnostics: 0, note: printError)
        #expect(profiles.map(\.series) == ["good"])
        #expect(failures.count == 2)
        #expect(failures.contains { $0.contains(empty) })
        #expect(failures.contains { $0.contains(headerOnly) })
        _ = good
        // And the command exits non-zero.
        #expect(throws: (any Error).self) { try runPSM(["inspect", dir.path]) }
    }

    @Test func everyBundledDatasetFileIsInspectedWithoutError() throws {
        let files = try csvFiles(in: [repositoryRoot + "/Datasets"])
        #expect(files.count == 25)
        let (profiles, failures) = SeriesProfile.inspect(files: files, options: IngestOptions(), maxDiagnostics: 0, note: printError)
        #expect(failures.isEmpty)
        // 21 NAB files (one series each) + wide files: Alibaba 5 + 5 columns, Azure 2, Google 4.
        #expect(profiles.count == 37)
        #expect(profiles.allSatisfy { $0.points > 1000 && $0.mean != nil })
    }

    @Test func durationsAreReadable() {
        #expect(Formatting.duration(seconds: 300) == "5m")
        #expect(Formatting.duration(seconds: 86_400) == "1d")
        #expect(Formatting.duration(seconds: 90_000) == "1d 1h")
        #expect(Formatting.duration(seconds: 45) == "45s")
    }

    static func iso(_ hour: Int) -> String {
        let day = 1 + hour / 24, h = hour % 24
        return String(format: "2026-03-%02d %02d:00:00", day, h)
    }
}

@Suite struct DiagnosticSummaryTests {
    @Test func repeatsOfOneProblemAreCountedNotPrinted() {
        func d(_ line: Int, _ code: Diagnostic.Code) -> Diagnostic {
            Diagnostic(file: "f.csv", line: line, severity: .warning, code: code, message: "m\(line)")
        }
        let diagnostics = [d(2, .duplicateTimestamp), d(3, .duplicateTimestamp), d(4, .nonNumericValue),
                           d(5, .duplicateTimestamp),
                           Diagnostic(file: "f.csv", line: 0, severity: .info, code: .resampled, message: "resampled")]
        let lines = summarize(diagnostics, file: "f.csv", perCode: 1)
        #expect(lines == [
            "f.csv:2: warning: m2 [duplicateTimestamp]",
            "f.csv: 2 more [duplicateTimestamp] besides line 2 (--diagnostics N shows more)",
            "f.csv:4: warning: m4 [nonNumericValue]",
        ])
        #expect(summarize(diagnostics, file: "f.csv", perCode: 0) == [
            "f.csv: 3 × [duplicateTimestamp] (--diagnostics N shows them)",
            "f.csv: 1 × [nonNumericValue] (--diagnostics N shows them)",
        ])
    }
}
