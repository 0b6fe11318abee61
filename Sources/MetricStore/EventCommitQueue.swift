import Dispatch
import Foundation
import Synchronization
import TimeSeries

/// Group commit of events (the API's notices): events submitted concurrently are written in one
/// transaction with one power-loss-durable commit (`synchronous=FULL`, one fsync), and each caller
/// resumes only after the commit that holds its event.
///
/// Why: one fsync per notice (≈ 2–3 ms here) capped the API at ≈ 1.9k requests/s of the mixed
/// load; batching pays one fsync for the notices that arrived while the previous one ran
/// (docs/benchmarks.md, "Actuator API load"). The writes run on a serial dispatch queue of their
/// own, so neither the Swift concurrency pool nor the caller's actor waits on the disk.
///
/// A transaction that fails fails every event in it (nothing of it is stored); an event that is
/// invalid on its own is refused before it joins a batch, so it never fails the others.
package final class EventCommitQueue: Sendable {
    /// Counts since the queue was made.
    package struct Statistics: Sendable, Hashable {
        /// Transactions committed (or attempted, failed ones included).
        package var commits = 0
        /// Events committed.
        package var events = 0
        /// Transactions that failed, and the events they failed.
        package var failedCommits = 0
        package var failedEvents = 0
        /// The largest batch written.
        package var largestBatch = 0
        /// Time spent in transactions (fsync included), in seconds: with `commits`, how long the
        /// disk made each batch wait.
        package var commitSeconds = 0.0
    }

    private struct State {
        var pending: [PendingEvent] = []
        /// The waiting callers, by their event's ticket.
        var waiting: [Int: CheckedContinuation<Int64, any Error>] = [:]
        var nextTicket = 0
        /// A drain is scheduled or running on `queue`.
        var draining = false
        var statistics = Statistics()
    }

    private let store: any ActuatorStore
    private let maximumBatch: Int
    private let committed: @Sendable ([Event]) -> Void
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "psm.metricstore.event-commits")

    /// - Parameters:
    ///   - maximumBatch: at most this many events per transaction (the rest wait for the next).
    ///   - committed: called with a batch's events after its commit and before any of their
    ///     callers resumes (to drop what they make stale once per batch, not once per event).
    package init(store: any ActuatorStore, maximumBatch: Int = 512, committed: @escaping @Sendable ([Event]) -> Void = { _ in }) {
        self.store = store
        self.maximumBatch = max(1, maximumBatch)
        self.committed = committed
    }

    /// Stores `event` and returns its id once the transaction holding it has committed durably.
    ///
    /// - Parameter createdAt: the recording time in Unix seconds.
    /// - Throws: `invalidEvent` when the event itself is malformed; otherwise the error of the
    ///   transaction that held it (which stored none of its events).
    public func insert(_ event: Event, createdAt: Int64) async throws(MetricStoreError) -> Int64 {
        try MetricStore.validate(event)
        guard let encoded = try MetricStore.encode([event]).first else {
            throw MetricStoreError(.invalidEvent, "cannot encode event \(event.name)")
        }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let schedule = state.withLock { s -> Bool in
                    let ticket = s.nextTicket
                    s.nextTicket += 1
                    s.waiting[ticket] = continuation
                    s.pending.append(PendingEvent(event: event, encoded: encoded, createdAt: createdAt, ticket: ticket))
                    guard !s.draining else { return false }
                    s.draining = true
                    return true
                }
                if schedule { queue.async { self.drain() } }
            }
        } catch {
            throw MetricStoreError.wrap(error, "cannot insert event \(event.name)", path: store.location)
        }
    }

    /// Events waiting for a transaction (not yet taken into one).
    package var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Counts since the queue was made.
    package var statistics: Statistics { state.withLock { $0.statistics } }

    /// Writes batches until nothing is pending. The batch is taken inside the write transaction,
    /// after the writer is ours: events that arrive while another write (or the previous commit's
    /// fsync) holds the writer join this batch instead of waiting for one more commit.
    private func drain() {
        while true {
            // What the transaction took (set inside it, so known even when its commit fails).
            var taken: [PendingEvent]?
            let take = { () -> [PendingEvent] in
                let batch = self.state.withLock { s in
                    let n = min(s.pending.count, self.maximumBatch)
                    let batch = Array(s.pending.prefix(n))
                    s.pending.removeFirst(n)
                    return batch
                }
                taken = batch
                return batch
            }
            let result: Result<[Int64], MetricStoreError>
            let started = ContinuousClock.now
            do {
                result = .success(try store.commitEvents(take).ids)
            } catch {
                result = .failure(MetricStoreError.wrap(error, "cannot insert events", path: store.location))
            }
            // The transaction may have failed before it took its batch (the writer busy past its
            // timeout, the server gone): fail what is waiting now rather than leave it waiting forever.
            let batch = taken ?? take()
            let elapsed = ContinuousClock.now - started
            let (more, continuations) = state.withLock { s -> (Bool, [CheckedContinuation<Int64, any Error>]) in
                s.statistics.commits += 1
                s.statistics.commitSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                s.statistics.largestBatch = max(s.statistics.largestBatch, batch.count)
                switch result {
                case .success: s.statistics.events += batch.count
                case .failure: s.statistics.failedCommits += 1; s.statistics.failedEvents += batch.count
                }
                let continuations = batch.compactMap { s.waiting.removeValue(forKey: $0.ticket) }
                if s.pending.isEmpty { s.draining = false; return (false, continuations) }
                return (true, continuations)
            }
            switch result {
            case .success(let ids):
                committed(batch.map(\.event))
                for (c, id) in zip(continuations, ids) { c.resume(returning: id) }
            case .failure(let error):
                for c in continuations { c.resume(throwing: error) }
            }
            if !more { return }
        }
    }
}
