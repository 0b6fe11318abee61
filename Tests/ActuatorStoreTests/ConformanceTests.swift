import ActuatorStoreConformance
import Foundation
import MetricStore
import PostgresStore
import Testing

/// The whole ActuatorStore conformance suite against SQLite: each check on a fresh store file.
@Suite struct SQLiteStoreConformance {
    static let context = ActuatorStoreConformance.Context(makeStore: {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("psm-store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try MetricStore(path: dir.appendingPathComponent("store.sqlite").path)
    })

    @Test(arguments: ActuatorStoreConformance.Check.allCases)
    func passes(_ check: ActuatorStoreConformance.Check) async throws {
        try await check.run(in: Self.context)
    }
}

/// The same suite against PostgreSQL: each check on a fresh database of the server
/// scripts/pg-test.sh started. Skipped — visibly, as a disabled suite — when PSM_TEST_POSTGRES is
/// unset (a plain `swift test`); scripts/test.sh and CI always set it.
@Suite(.enabled(if: TestPostgres.available, "PSM_TEST_POSTGRES is unset: run through scripts/pg-test.sh (scripts/test.sh does)"))
struct PostgresStoreConformance {
    static let context = ActuatorStoreConformance.Context(makeStore: { try TestPostgres.freshStore() })

    @Test(arguments: ActuatorStoreConformance.Check.allCases)
    func passes(_ check: ActuatorStoreConformance.Check) async throws {
        try await check.run(in: Self.context)
    }
}
