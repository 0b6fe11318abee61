import Synchronization
import TimeSeries

/// The last `GET /v1/forecasts/{group}` answer per group, so that reads are served without a trip
/// through the runtime actor or the store. An entry lives until the group is re-scored (a cycle),
/// a notice for it is accepted, or its time runs out (one interval, in case cycles stall).
///
/// Views are computed outside the lock, so an invalidation can land while one is being computed
/// from the state before it: `token(for:)` is taken before computing and `store` refuses a view
/// whose token an invalidation has since moved past. A read therefore never sees a view older
/// than the last invalidation that finished before it started.
final class ForecastViewCache: Sendable {
    /// Identifies what a view was computed from: the cache-wide and the group's generation.
    struct Token: Hashable, Sendable {
        var all: UInt64
        var group: UInt64
    }

    /// Lookups answered from the cache and lookups that had to compute.
    struct Statistics: Hashable, Sendable {
        var hits = 0
        var misses = 0
    }

    private struct Entry {
        var view: ForecastView
        var token: Token
        var validUntil: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var all: UInt64 = 0
        var groups: [String: UInt64] = [:]
        var statistics = Statistics()
    }

    private let state = Mutex(State())

    /// The cached view of `group` if it is still valid at `now`.
    ///
    /// - Parameter counting: whether the lookup counts in `statistics` (a second look before
    ///   computing does not).
    func view(_ group: String, now: Int64, counting: Bool = true) -> ForecastView? {
        state.withLock { s in
            guard let e = s.entries[group], now < e.validUntil,
                  e.token == Token(all: s.all, group: s.groups[group] ?? 0) else {
                if counting { s.statistics.misses += 1 }
                return nil
            }
            if counting { s.statistics.hits += 1 }
            return e.view
        }
    }

    /// Take before reading the state a view is computed from.
    func token(for group: String) -> Token {
        state.withLock { s in Token(all: s.all, group: s.groups[group] ?? 0) }
    }

    /// Keeps `view` unless the group was invalidated after `token` was taken; returns whether kept.
    @discardableResult
    func store(_ view: ForecastView, group: String, token: Token, validUntil: Int64) -> Bool {
        state.withLock { s in
            guard token == Token(all: s.all, group: s.groups[group] ?? 0) else { return false }
            s.entries[group] = Entry(view: view, token: token, validUntil: validUntil)
            return true
        }
    }

    /// Drops the view of `group` (a notice for it was accepted).
    func invalidate(_ group: String) {
        state.withLock { s in
            s.groups[group, default: 0] &+= 1
            s.entries[group] = nil
        }
    }

    /// Drops the views of the groups these notices apply to (every view for a notice to all).
    func invalidate(noticeGroupsOf events: [Event]) {
        var groups: Set<String> = []
        for e in events {
            switch e.scope {
            case .groups(let names): groups.formUnion(names)
            case .all, .series: return invalidateAll()
            }
        }
        state.withLock { s in
            for g in groups {
                s.groups[g, default: 0] &+= 1
                s.entries[g] = nil
            }
        }
    }

    /// Drops every view (a cycle re-scored the groups).
    func invalidateAll() {
        state.withLock { s in
            s.all &+= 1
            s.entries.removeAll(keepingCapacity: true)
        }
    }

    var statistics: Statistics { state.withLock { $0.statistics } }
}
