import GRDB
import Synchronization

/// What `insert(_:)` learnt of each stored series (id, grid, labels), so the collector's write of
/// thousands of one-sample series per interval skips the two lookups per series (docs/benchmarks.md,
/// "Collector").
///
/// Kept true: entries made in a transaction are adopted only after it commits; any delete through
/// this store clears it; and a commit by another connection (another process on the same file, or
/// this store's readers never write) changes SQLite's `PRAGMA data_version`, which is checked at the
/// start of every cached write and clears it too.
final class SeriesIDCache: Sendable {
    struct Entry: Sendable, Equatable {
        var id: Int64
        var axis: String
        var step: Int64
        var metric: String?
        var group: String?
        /// A stored sample's time (nil: none stored yet), for the grid check.
        var anchor: Int64?
    }

    private struct State {
        var dataVersion: Int64?
        var entries: [String: Entry] = [:]
        /// Counts clears: a write that started before one must not adopt what it learnt.
        var generation = 0
    }

    private let state = Mutex(State())

    /// The entries valid for a write in `db`'s transaction (cleared first if another connection
    /// committed), and the generation to hand back to `adopt`.
    func snapshot(_ db: Database) throws -> (entries: [String: Entry], generation: Int) {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        return state.withLock { s in
            if s.dataVersion != version {
                s.entries = [:]
                s.dataVersion = version
                s.generation += 1
            }
            return (s.entries, s.generation)
        }
    }

    /// Adopts what a committed write learnt, unless the cache was cleared since its snapshot.
    func adopt(_ learnt: [String: Entry], generation: Int) {
        state.withLock { s in
            guard s.generation == generation else { return }
            s.entries = learnt
        }
    }

    /// Forgets everything (after a delete has committed).
    func clear() {
        state.withLock { s in
            s.entries = [:]
            s.generation += 1
        }
    }
}
