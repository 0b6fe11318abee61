import Foundation
import GRDB
@testable import MetricStore
import Synchronization
import Testing
import TimeSeries

/// Group commit of events: concurrent inserts share one durable transaction, each caller resumes
/// after that commit, and a failed transaction fails all of its events and stores none.
@Suite struct EventCommitQueueTests {
    static func notice(_ i: Int, note: String? = nil) -> Event {
        Event(name: "notice", kind: .notice, start: 1_000 + Int64(i), end: 2_000 + Int64(i), scope: .groups(["web"]),
              multiplier: 1.5, note: note ?? "n\(i)")
    }

    /// Holds the store's only writer on a thread of its own until `release()`: nothing can commit
    /// meanwhile, so what the queue receives piles up, as behind a slow fsync.
    final class WriterHold: Sendable {
        private let gate = DispatchSemaphore(value: 0)

        init(_ store: MetricStore) async {
            await withCheckedContinuation { (entered: CheckedContinuation<Void, Never>) in
                Thread { [gate] in
                    store.writer.writeWithoutTransaction { _ in
                        entered.resume()
                        gate.wait()
                    }
                }.start()
            }
        }

        func release() { gate.signal() }
    }

    final class Counter: Sendable { let value = Atomic(0) }

    final class Batches: Sendable {
        struct Batch: Hashable { var events: Int; var answeredBefore: Int }
        private let batches = Mutex<[Batch]>([])
        func record(_ events: Int, answeredBefore: Int) { batches.withLock { $0.append(Batch(events: events, answeredBefore: answeredBefore)) } }
        var all: [Batch] { batches.withLock { $0 } }
    }

    /// Waits (sleeping, not spinning) until `condition` holds; false after 10 s.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<1_000 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func concurrentInsertsShareOneCommitAndEachCallerResumesOnlyAfterIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetricStore(path: dir.path("group.sqlite"), durability: .process)
        let n = 40
        let answered = Counter()
        let batches = Batches()
        let queue = EventCommitQueue(store: store) { events in
            batches.record(events.count, answeredBefore: answered.value.load(ordering: .sequentiallyConsistent))
        }
        let hold = await WriterHold(store)
        let ids = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
            for i in 0..<n {
                group.addTask {
                    let id = try await queue.insert(Self.notice(i), createdAt: 500 + Int64(i))
                    answered.value.add(1, ordering: .sequentiallyConsistent)
                    return (i, id)
                }
            }
            let allWaiting = try await Self.eventually { queue.pendingCount == n }
            #expect(allWaiting, "\(queue.pendingCount) of \(n) inserts waiting")
            // The writer is held: no transaction can have committed, so nobody may have been answered.
            #expect(answered.value.load(ordering: .sequentiallyConsistent) == 0)
            #expect(try store.events(kind: .notice).isEmpty)
            hold.release()
            var ids: [Int: Int64] = [:]
            for try await (i, id) in group { ids[i] = id }
            return ids
        }
        // The batch callback ran once, before any caller was answered.
        #expect(batches.all == [Batches.Batch(events: n, answeredBefore: 0)])
        let stats = queue.statistics
        #expect(stats.commits == 1 && stats.events == n && stats.largestBatch == n && stats.failedCommits == 0)
        let stored = try store.events(kind: .notice)
        #expect(stored.count == n)
        #expect(Set(stored.map(\.id)) == Set(ids.values))
        for s in stored {
            // Each caller got the id of its own event, with its own recording time.
            let i = try #require(ids.first { $0.value == s.id }?.key)
            #expect(s.event == Self.notice(i) && s.createdAt == 500 + Int64(i))
        }
    }

    @Test func aFailedTransactionFailsEveryEventInItAndStoresNone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetricStore(path: dir.path("poison.sqlite"), durability: .process)
        // A real SQLite failure in the middle of the batch: the insert of one event aborts.
        try store.write("trigger") { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.note = 'poison'
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                """)
        }
        let queue = EventCommitQueue(store: store)
        let n = 12
        let hold = await WriterHold(store)
        let outcomes = try await withThrowingTaskGroup(of: Result<Int64, MetricStoreError>.self) { group in
            for i in 0..<n {
                group.addTask {
                    do { return .success(try await queue.insert(Self.notice(i, note: i == n / 2 ? "poison" : nil), createdAt: 1)) }
                    catch { return .failure(error as? MetricStoreError ?? MetricStoreError(.sqlite, "not a store error: \(error)")) }
                }
            }
            let allWaiting = try await Self.eventually { queue.pendingCount == n }
            #expect(allWaiting)
            hold.release()
            var outcomes: [Result<Int64, MetricStoreError>] = []
            for try await r in group { outcomes.append(r) }
            return outcomes
        }
        #expect(outcomes.count == n)
        for outcome in outcomes {
            guard case .failure(let error) = outcome else { Issue.record("an event of the failed batch was acknowledged"); continue }
            #expect(error.code == .sqlite && error.description.contains("injected failure"), "\(error)")
        }
        #expect(try store.events(kind: .notice).isEmpty)
        #expect(queue.statistics.failedCommits == 1 && queue.statistics.failedEvents == n)
        // The queue goes on: the next batch commits.
        let id = try await queue.insert(Self.notice(99), createdAt: 2)
        #expect(try store.events(kind: .notice).map(\.id) == [id])
    }

    @Test func anInvalidEventIsRefusedAloneWithoutATransaction() async throws {
        let store = try MetricStore.inMemory()
        let queue = EventCommitQueue(store: store)
        await #expect { try await queue.insert(Event(name: "bad", kind: .notice, start: 10, end: 10), createdAt: 0) }
            throws: { ($0 as? MetricStoreError)?.code == .invalidEvent }
        #expect(queue.statistics.commits == 0)
        let id = try await queue.insert(Self.notice(1), createdAt: 0)
        #expect(try store.events(kind: .notice).map(\.id) == [id])
    }
}
