import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `psm train --every` is a swift-service-lifecycle service (`TrainingSchedule`): a SIGTERM while
/// it waits for its next slot stops it at once with status 0, after the first run published.
@Suite struct TrainScheduleProcessTests {
    @Test func aSIGTERMWhileWaitingForTheNextSlotStopsTheScheduleCleanly() async throws {
        let dir = NSTemporaryDirectory() + "psm-train-every-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rows = ["series_id,timestamp,value"]
        for t in 0..<96 { rows.append("web,\(1_700_000_000 + t * 3600),\(10 + 3 * sin(2 * Double.pi * Double(t % 24) / 24) + Double((t * 31) % 7) / 7)") }
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/load.csv", atomically: true, encoding: .utf8)
        try """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        """.write(toFile: dir + "/psm.toml", atomically: true, encoding: .utf8)

        // A daily slot: the first run happens at once, then the service waits (hours) for the next.
        let outcome = try await runProcess(try builtExecutable("psm"), ["train", "--config", dir + "/psm.toml", "--every", "1d"],
                                           terminateAfter: 0.2, whenStderrContains: "next run at", timeout: 120)
        #expect(outcome.errors.contains("1 trained, 0 skipped, 0 failed"), "\(outcome.errors)")
        #expect(outcome.errors.contains("next run at"), "\(outcome.errors)")
        #expect(!outcome.signalled && outcome.status == 0, "status \(outcome.status), signalled \(outcome.signalled): \(outcome.errors)")
        #expect(outcome.errors.contains("stopped by signal between runs"), "\(outcome.errors)")
        #expect(FileManager.default.fileExists(atPath: dir + "/Models/web/CURRENT"))
    }
}
