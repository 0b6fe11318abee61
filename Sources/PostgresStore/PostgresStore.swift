import Foundation
import MetricStore
import NIOCore
import PostgresNIO

/// The actuator's store in PostgreSQL (PostgresNIO): the same contract as `MetricStore`, for
/// actuators that share their state. docs/architecture.md, "Store".
///
/// Opening connects, then applies the versioned migrations (`PostgresStore+Schema`) under an
/// advisory lock, so actuators starting together migrate once. Every call is one transaction on
/// the store's connection (`PostgresConnector`), bounded by `timeout`.
public final class PostgresStore: ActuatorStore {
    let connector: PostgresConnector

    /// The URL without its password.
    public var location: String { connector.location.description }

    /// Connects to `url` (see `PostgresLocation`) and brings its schema up to date.
    ///
    /// - Parameter timeout: how long a connection attempt or one query may take before the call
    ///   fails with `.unavailable` (the connection is then dropped and the next call reconnects).
    public init(url: String, timeout: Duration = .seconds(10)) throws(MetricStoreError) {
        let location = try PostgresLocation(url: url)
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        connector = PostgresConnector(location: location, timeout: .nanoseconds(max(nanoseconds, 1_000_000)))
        do {
            try migrate()
        } catch where error.code == .unavailable || error.code == .cannotOpen {
            throw MetricStoreError(.cannotOpen, "cannot open the PostgreSQL store: \(error.message)", path: location.description,
                                   cause: error)
        } catch {
            throw MetricStoreError(.migrationFailed, "cannot migrate the PostgreSQL store schema: \(error.message)",
                                   path: location.description, cause: error)
        }
    }

    public func check() throws(MetricStoreError) {
        try connector.run("cannot reach the store", transaction: false) { s in try s.execute("SELECT 1") }
    }

    public func appliedMigrations() throws(MetricStoreError) -> [String] {
        try connector.run("cannot read the applied migrations", transaction: false) { s in
            try s.query("SELECT name FROM psm_migrations ORDER BY applied_order").map { try $0.decode(String.self) }
        }
    }

    /// The backend process id of the store's connection (tests terminate it with
    /// `pg_terminate_backend` to cut a transaction).
    package func backendPID() throws(MetricStoreError) -> Int32 {
        try connector.run("cannot read the backend pid", transaction: false) { s in
            try s.query("SELECT pg_backend_pid()").first.map { try $0.decode(Int32.self) } ?? -1
        }
    }

    /// Runs `body` inside one of this store's transactions (tests: a write cut in the middle).
    package func inTransaction(_ what: String, _ body: (PostgresSession) throws -> Void) throws(MetricStoreError) {
        try connector.run(what, body)
    }

    private func migrate() throws(MetricStoreError) {
        try connector.run("cannot migrate the schema") { s in
            // One migrator at a time across actuators; released at COMMIT.
            try s.execute("SELECT pg_advisory_xact_lock(7078201501)")
            try s.execute("""
                CREATE TABLE IF NOT EXISTS psm_migrations (
                    name          TEXT PRIMARY KEY,
                    applied_order INTEGER NOT NULL,
                    applied_at    TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """)
            let applied = Set(try s.query("SELECT name FROM psm_migrations").map { try $0.decode(String.self) })
            for (index, migration) in Self.migrations.enumerated() where !applied.contains(migration.name) {
                for statement in migration.statements { try s.execute(statement) }
                try s.query("INSERT INTO psm_migrations (name, applied_order) VALUES (\(migration.name), \(index + 1))")
            }
        }
    }
}

extension PostgresStore {
    /// Creates an empty database on this store's server (tests: one database per check).
    package func createDatabase(named name: String) throws(MetricStoreError) {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw MetricStoreError(.postgres, "database name \(name) must be letters, digits and _")
        }
        try connector.run("cannot create database \(name)", transaction: false) { s in try s.execute("CREATE DATABASE \(name)") }
    }
}

extension PostgresStore {
    /// The database this store opened.
    package var databaseName: String { connector.location.database }

    /// Ends another connection's backend (tests: a transaction cut in the middle).
    package func terminateBackend(_ pid: Int32) throws(MetricStoreError) {
        try connector.run("cannot terminate backend \(pid)", transaction: false) { s in
            try s.query("SELECT pg_terminate_backend(\(pid))")
        }
    }
}
