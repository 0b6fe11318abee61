import Foundation
import MetricStore
import PostgresStore
import Testing

/// A write interrupted mid-transaction leaves nothing half-written, on both stores: a writer
/// process SIGKILLed at random moments (SQLite and PostgreSQL), and a PostgreSQL backend
/// terminated in the middle of one of the store's transactions.
@Suite struct StoreCrashTests {
    /// Kills psm-store-stress at random moments; after each kill every batch is whole or absent
    /// and the state document names the last whole batch.
    static func killWriterRepeatedly(store location: String, open: () throws -> any ActuatorStore) throws {
        let helper = try #require(stressHelper(), "psm-store-stress is not built next to the test bundle")
        let rows = 1000
        var generator = SystemRandomNumberGenerator()
        var landedMidBatch = 0
        var committedSeen = 0
        for _ in 0..<12 {
            let process = Process()
            process.executableURL = helper
            process.arguments = [location, String(rows)]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Let it commit at least once, then kill it a random moment later.
            var seen = Data()
            let deadline = Date().addingTimeInterval(30)
            while !String(decoding: seen, as: UTF8.self).contains("committed"), Date() < deadline {
                seen += output.fileHandleForReading.availableData
            }
            usleep(UInt32.random(in: 0...40_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            seen += output.fileHandleForReading.readDataToEndOfFile()
            let lastAcknowledged = String(decoding: seen, as: UTF8.self).split(separator: "\n")
                .compactMap { $0.hasPrefix("committed ") ? Int($0.dropFirst(10)) : nil }.max() ?? 0
            committedSeen = max(committedSeen, lastAcknowledged)

            let store = try open()
            let decisions = try store.decisions(group: "stress", limit: 10_000_000)
            var perBatch: [Int64: Int] = [:]
            for d in decisions { perBatch[d.time, default: 0] += 1 }
            #expect(perBatch.values.allSatisfy { $0 == rows }, "a batch is whole or absent: \(perBatch.filter { $0.value != rows })")
            let state = try #require(try store.state(named: "stress"))
            #expect(Int64(state.version) == perBatch.keys.max(), "the state committed with the last whole batch")
            #expect(state.version >= lastAcknowledged, "an acknowledged commit is kept")
            // The kill landed after the last acknowledged batch began: it was mid-transaction or
            // between transactions; a batch beyond the acknowledged one that is absent proves the former.
            if state.version == lastAcknowledged { landedMidBatch += 1 }
        }
        #expect(committedSeen > 0)
        #expect(landedMidBatch > 0, "no kill landed inside a transaction")
    }

    @Test func sqliteWriterKilledMidTransactionLeavesWholeBatches() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("psm-crash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("store.sqlite").path
        _ = try MetricStore(path: path)
        try Self.killWriterRepeatedly(store: path) { try MetricStore(path: path) }
    }

    @Test(.enabled(if: TestPostgres.available, "PSM_TEST_POSTGRES is unset: run through scripts/pg-test.sh"))
    func postgresWriterKilledMidTransactionLeavesWholeBatches() throws {
        let store = try TestPostgres.freshStore()
        let url = try require(TestPostgres.url).replacingOccurrences(of: "postgres:///psm?", with: "postgres:///\(store.databaseName)?")
        try Self.killWriterRepeatedly(store: url) { try PostgresStore(url: url) }
    }

    /// pg_terminate_backend in the middle of a store transaction: nothing of it is visible, the
    /// call fails with `.unavailable`, and the store's next call reconnects.
    @Test(.enabled(if: TestPostgres.available, "PSM_TEST_POSTGRES is unset: run through scripts/pg-test.sh"))
    func terminatedBackendLeavesNothingAndTheStoreReconnects() throws {
        let store = try TestPostgres.freshStore(timeout: .seconds(3))
        let url = try require(TestPostgres.url).replacingOccurrences(of: "postgres:///psm?", with: "postgres:///\(store.databaseName)?")
        let observer = try PostgresStore(url: url)
        try store.upsertHost(HostRecord(name: "h1", uri: "test:///h1", capacity: CapacityAmount(vcpus: 8, memoryMiB: 8192, units: 8),
                                        updatedAt: 1))
        let pid = try store.backendPID()
        let cut = ContinuousClock.now
        do {
            try store.inTransaction("a transaction cut in the middle") { s in
                try s.execute("INSERT INTO decisions (grp, ts, json) VALUES ('web', 1, '{}')")
                try s.execute("UPDATE hosts SET vcpus = 99 WHERE name = 'h1'")
                // Another connection ends this one's backend, mid-transaction.
                try observer.terminateBackend(pid)
                try s.execute("INSERT INTO decisions (grp, ts, json) VALUES ('web', 2, '{}')")
                Issue.record("the transaction went on after its backend was terminated")
            }
            Issue.record("the cut transaction committed")
        } catch {
            #expect(error.code == .unavailable, "\(error)")
            // At once when idle (4 ms measured); under load the in-flight statement has been seen to
            // wait for the store's timeout (3 s here) instead: bounded either way, never a hang.
            #expect(ContinuousClock.now - cut < .seconds(5), "the cut is reported within the store's timeout")
        }
        #expect(try observer.decisions(group: "web", limit: 10).isEmpty)
        #expect(try observer.hostAvailability("h1")?.host.capacity.vcpus == 8)
        // The same store object reconnects on its next call.
        #expect(try store.hostAvailability("h1")?.host.capacity.vcpus == 8)
        #expect(try store.backendPID() != pid)
        #expect(try store.insert(decisions: [("web", 3, "{}")]).count == 1)
    }

    static func stressHelper() -> URL? {
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            .compactMap { $0?.deletingLastPathComponent() }
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            for sub in ["", "..", "../.."] {
                let url = dir.appendingPathComponent(sub).appendingPathComponent("psm-store-stress").standardizedFileURL
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return nil
    }
}
