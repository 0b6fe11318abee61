import Foundation
import GRDB

/// Persistent store of series samples and events: one SQLite file in WAL mode, accessed through GRDB.
///
/// A file-backed store uses a `DatabasePool`, so readers (training, the actuator's API) run
/// concurrently with the single writer; an in-memory store (tests) uses a `DatabaseQueue`.
/// Opening runs the versioned schema migrations, so any file this opens is up to date.
public final class MetricStore: Sendable {
    let writer: any DatabaseWriter
    /// The database file, or nil for an in-memory store.
    public let path: String?
    /// How far a commit survives unless a write asks for more (see `Durability`).
    public let durability: Durability
    /// Series ids and grids learnt by `insert(_:)` (`SeriesIDCache`).
    let seriesIDs = SeriesIDCache()

    /// How far a commit is guaranteed to survive (SQLite's `synchronous` under WAL).
    ///
    /// Measured (docs/benchmarks.md): on a 5M-sample bulk insert the two cost the same, because
    /// the commit's checkpoint fsyncs anyway; on tiny commits FULL adds one fsync (~3 ms here).
    public enum Durability: String, Sendable, Hashable {
        /// A commit survives a crash of the process; a power loss may undo the last commits but
        /// never corrupts the file (`synchronous=NORMAL`). For many tiny commits per second.
        case process
        /// A commit survives a power loss too: the WAL is fsynced at every commit
        /// (`synchronous=FULL`). The default: an acknowledged ingest or notice stays written.
        /// Events (notices, promotions) are always written at this level, whatever the store's:
        /// they are what a user told psm and cannot be derived again.
        case powerLoss
    }

    /// Opens the store at `path`, creating the file and its schema when it does not exist.
    public convenience init(path: String, durability: Durability = .powerLoss) throws(MetricStoreError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MetricStoreError(.cannotOpen, "cannot open the metric store: directory \(directory) does not exist",
                                   path: path)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration(durability))
            // GRDB sets synchronous=NORMAL on the writer when it enables WAL, after our
            // prepareDatabase hook ran: apply the choice once more on the (only) writer.
            try pool.writeWithoutTransaction { db in try Self.applyDurability(durability, db) }
        } catch {
            throw MetricStoreError.wrap(error, "cannot open the metric store", path: path)
        }
        try self.init(writer: pool, path: path, durability: durability)
    }

    /// Opens a private in-memory store, discarded when released (for tests and dry runs).
    public static func inMemory() throws(MetricStoreError) -> MetricStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration(.process))
        } catch {
            throw MetricStoreError.wrap(error, "cannot open an in-memory metric store", path: nil)
        }
        return try MetricStore(writer: queue, path: nil, durability: .process)
    }

    private init(writer: any DatabaseWriter, path: String?, durability: Durability) throws(MetricStoreError) {
        self.writer = writer
        self.path = path
        self.durability = durability
        try migrate()
    }

    /// Connection settings shared by the writer and every reader.
    static func configuration(_ durability: Durability) -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.label = "MetricStore"
        // A reader or the writer of another process may hold the lock briefly (checkpoints).
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try applyDurability(durability, db)
            // 64 MiB page cache (negative = KiB): bulk ingest touches many b-tree pages.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return config
    }

    /// docs/benchmarks.md has the measured cost of FULL on bulk inserts.
    static func applyDurability(_ durability: Durability, _ db: Database) throws {
        try db.execute(sql: durability == .powerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
    }

    private func migrate() throws(MetricStoreError) {
        do {
            try Self.migrator.migrate(writer)
        } catch {
            let wrapped = MetricStoreError.wrap(error, "cannot migrate the metric store schema", path: path)
            // A garbage file fails here at the first read of the schema, not at open.
            if wrapped.code == .notADatabase || wrapped.code == .cannotOpen { throw wrapped }
            throw MetricStoreError(.migrationFailed, wrapped.message, path: path, cause: wrapped.cause)
        }
    }

    /// The file path, or "in memory".
    public var location: String { path ?? "in memory" }

    /// Reads the journal mode: one round trip through a reader.
    public func check() throws(MetricStoreError) {
        _ = try journalMode()
    }

    /// The journal mode SQLite reports for the database (`wal` for a file-backed store).
    package func journalMode() throws(MetricStoreError) -> String {
        try read("cannot read the journal mode") { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        }
    }

    /// SQLite's `synchronous` setting on the writer connection (1 = NORMAL, 2 = FULL).
    package func synchronousLevel() throws(MetricStoreError) -> Int {
        do {
            return try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        } catch {
            throw MetricStoreError.wrap(error, "cannot read the synchronous setting", path: path)
        }
    }

    /// The schema migrations applied to the database, in order.
    public func appliedMigrations() throws(MetricStoreError) -> [String] {
        try read("cannot read the applied migrations") { db in
            try Self.migrator.appliedMigrations(db)
        }
    }

    // MARK: - Access helpers mapping errors once

    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(MetricStoreError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw MetricStoreError.wrap(error, what, path: path)
        }
    }

    /// Runs `body` in one write transaction. `immediate` takes the write lock at BEGIN (for
    /// compare-and-set steps that read before they write). `durability`, when given, replaces the
    /// store's own guarantee for this transaction's commit only (SQLite applies `synchronous` at
    /// each commit; the writer connection is set back afterwards).
    func write<T>(_ what: String, immediate: Bool = false, durability required: Durability? = nil,
                  _ body: (Database) throws -> T) throws(MetricStoreError) -> T {
        let switching = required.map { $0 != durability && path != nil } ?? false
        do {
            guard immediate || switching else { return try writer.write(body) }
            return try writer.writeWithoutTransaction { db in
                if let required, switching { try Self.applyDurability(required, db) }
                defer { if switching { try? Self.applyDurability(durability, db) } }
                var result: Result<T, any Error>?
                try db.inTransaction(immediate ? .immediate : .deferred) {
                    result = .success(try body(db))
                    return .commit
                }
                guard let result else { throw MetricStoreError(.sqlite, "\(what): the transaction returned nothing", path: path) }
                return try result.get()
            }
        } catch {
            throw MetricStoreError.wrap(error, what, path: path)
        }
    }
}

/// The SQLite implementation of the actuator's store (the embedded default).
extension MetricStore: ActuatorStore {}
