import Foundation
import TimeSeries

/// The actuator's state — hosts, shadows, reservations, activations, decisions, notices, routes,
/// sizing state, collected samples and group leases — behind one contract with two implementations:
/// `MetricStore` (SQLite through GRDB, the embedded default for one host) and `PostgresStore`
/// (PostgreSQL through PostgresNIO, shared by several actuators). docs/architecture.md, "Store".
///
/// The contract is synchronous, as GRDB is: the runtime already calls the store from its actor
/// and from the collector's serial queue, and every call is one short transaction. The PostgreSQL
/// implementation runs each call on its own event loop and blocks the calling thread (never an
/// event loop thread) until the reply or its timeout.
///
/// Every method maps failures to `MetricStoreError`; a database that cannot be reached is
/// `.unavailable`, a fenced write whose lease is no longer current is `.leaseLost` (nothing written).
/// The conformance checks every implementation passes are in the `ActuatorStoreConformance` target.
public protocol ActuatorStore: AnyObject, Sendable {
    /// Where the store lives (a file path, "in memory", or a PostgreSQL URL without its password).
    var location: String { get }
    /// One round trip to the database (the health endpoint's check).
    func check() throws(MetricStoreError)
    /// The schema migrations applied, in order.
    func appliedMigrations() throws(MetricStoreError) -> [String]

    // MARK: Hosts
    func upsertHost(_ host: HostRecord) throws(MetricStoreError)
    @discardableResult
    func setLoad(_ load: CapacityAmount, ofHost name: String, at now: Int64) throws(MetricStoreError) -> Bool
    func hostAvailability() throws(MetricStoreError) -> [HostAvailability]
    func hostAvailability(_ name: String) throws(MetricStoreError) -> HostAvailability?

    // MARK: Host status (docs/actuator.md, "Lost hosts"; migration v9-host-status)
    /// Records the host's configured cap (nil: none).
    func setCap(vcpus: Int64?, memoryMiB: Int64?, ofHost name: String) throws(MetricStoreError)
    /// Records an answer of the host: its capacity (min of measured and cap), the load of domains
    /// without a reservation, what it reported; the host is up again. Returns the state it was in
    /// before (nil: unknown host).
    @discardableResult
    func recordMeasurement(_ m: HostMeasurementRecord, ofHost name: String, at now: Int64) throws(MetricStoreError) -> HostState?
    /// Records a failed check (a connection error): an up host becomes unreachable since `now`; an
    /// unreachable or lost one keeps its state and the time its failures began. Returns the host's
    /// status after the write (nil: unknown host).
    @discardableResult
    func recordUnreachable(host name: String, error: String, at now: Int64) throws(MetricStoreError) -> HostStatus?
    /// Marks an unreachable host lost, in one transaction: every shadow recorded there that is not
    /// gone yet becomes gone with `lostAt` (its reservation released; an open activation of it is
    /// recorded failed). Returns the shadows lost; empty (nothing written) unless the host was unreachable.
    func markHostLost(_ name: String, at now: Int64) throws(MetricStoreError) -> [ShadowRecord]

    // MARK: Shadows and reservations (fenced writes take the group's lease; nil: unfenced)
    /// Refused (`hostDisabled`) on a host that is disabled or not `up`.
    func reserve(shadow: ShadowRecord, on host: String, at now: Int64,
                 fence: LeaseFence?) throws(MetricStoreError) -> ReservationOutcome
    func adopt(shadow: ShadowRecord, reserving: Bool, at now: Int64, fence: LeaseFence?) throws(MetricStoreError)
    @discardableResult
    func release(shadow id: String, fence: LeaseFence?) throws(MetricStoreError) -> Bool
    @discardableResult
    func transition(shadow id: String, fromAnyOf states: Set<ShadowState>, to: ShadowState, at now: Int64,
                    fence: LeaseFence?) throws(MetricStoreError) -> Bool
    func shadow(id: String) throws(MetricStoreError) -> ShadowRecord?
    func shadows(host: String?, group: String?, states: Set<ShadowState>?) throws(MetricStoreError) -> [ShadowRecord]
    func reservations() throws(MetricStoreError) -> [ReservationRecord]

    // MARK: Activations
    func beginActivation(id: String, shadow shadowID: String, at now: Int64,
                         fence: LeaseFence?) throws(MetricStoreError) -> ActivationClaim
    @discardableResult
    func finishActivation(id: String, outcome: ActivationRecord.Outcome, stepLatencies: [String: Double], at now: Int64,
                          fence: LeaseFence?) throws(MetricStoreError) -> Bool
    func activation(id: String) throws(MetricStoreError) -> ActivationRecord?
    func activations(shadow shadowID: String) throws(MetricStoreError) -> [ActivationRecord]
    func activations(group: String, limit: Int) throws(MetricStoreError) -> [ActivationRecord]
    @discardableResult
    func recordActivationSize(id: String, predicted: ActivationSize?, applied: ActivationSize) throws(MetricStoreError) -> Bool
    func appliedVCPUsOfActiveShadows() throws(MetricStoreError) -> [String: Int64]
    func recentSucceededActivations(limit: Int) throws(MetricStoreError) -> [ActivationRecord]

    // MARK: Decisions and sizing state
    /// Decisions and state documents in one transaction, refused whole when any fence is stale.
    @discardableResult
    func insert(decisions: [(group: String, time: Int64, json: String)], states: [StoredState],
                fences: [LeaseFence]) throws(MetricStoreError) -> [Int64]
    func decisions(group: String, limit: Int) throws(MetricStoreError) -> [StoredDecision]
    @discardableResult
    func deleteDecisions(before time: Int64) throws(MetricStoreError) -> Int
    func save(states: [StoredState]) throws(MetricStoreError)
    func state(named name: String) throws(MetricStoreError) -> StoredState?
    /// The state documents whose name starts with `prefix`, by name.
    func states(prefix: String) throws(MetricStoreError) -> [StoredState]
    /// Removes the state documents `names` (absent ones are no error); how many were removed.
    @discardableResult
    func deleteStates(named names: [String]) throws(MetricStoreError) -> Int

    // MARK: Events (notices)
    @discardableResult
    func insert(events: [Event], createdAt: Int64) throws(MetricStoreError) -> [Int64]
    /// One power-loss-durable transaction for the batch `take` returns; `take` is called once the
    /// transaction holds the writer, so events that arrived meanwhile join (`EventCommitQueue`).
    func commitEvents(_ take: () -> [PendingEvent]) throws(MetricStoreError) -> (batch: [PendingEvent], ids: [Int64])
    func events(kind: Event.Kind?, overlapping window: Range<Int64>?,
                scope: EventScopeFilter) throws(MetricStoreError) -> [StoredEvent]
    @discardableResult
    func deleteEvent(id: Int64) throws(MetricStoreError) -> Bool

    // MARK: Routes
    func saveRoute(_ route: RouteRecord) throws(MetricStoreError)
    func route(shadow shadowID: String) throws(MetricStoreError) -> RouteRecord?
    func route(activation activationID: String) throws(MetricStoreError) -> RouteRecord?
    func routes(states: Set<RouteRecord.State>, group: String?) throws(MetricStoreError) -> [RouteRecord]

    // MARK: Samples
    @discardableResult
    func insert(_ series: [Series]) throws(MetricStoreError) -> Int
    func series(key: String, from: Int64?, to: Int64?) throws(MetricStoreError) -> Series?
    func latest(key: String) throws(MetricStoreError) -> Sample?
    @discardableResult
    func deleteSamples(keys: [String], before: Int64) throws(MetricStoreError) -> Int

    // MARK: Leases (docs/architecture.md, "Leases")
    /// Takes `group` for `owner` until `now + seconds`: granted when free, expired, or already
    /// `owner`'s (then renewed with the same token); a takeover from another owner or after a
    /// release gets a larger token than any before it.
    func acquireLease(group: String, owner: String, at now: Int64, seconds: Int64) throws(MetricStoreError) -> LeaseOutcome
    /// Extends every lease still held (same owner and token, not expired at `now`) to `now + seconds`,
    /// in one transaction; returns those renewed, in the order given. A lease missing from the
    /// answer was lost (expired and taken, or released) and is left as it is.
    func renewLeases(_ leases: [Lease], at now: Int64, seconds: Int64) throws(MetricStoreError) -> [Lease]
    /// Gives the lease up at once; returns whether it was still held.
    @discardableResult
    func releaseLease(_ lease: Lease) throws(MetricStoreError) -> Bool
    /// Every lease row (held or expired), by group.
    func leases() throws(MetricStoreError) -> [Lease]
}

/// An event waiting for a group commit: the event, its encoded scope and recurrence, its time.
public struct PendingEvent: Sendable {
    package var event: Event
    public var encoded: (scope: String, recurrence: String?)
    public var createdAt: Int64
    /// The caller's slot in `EventCommitQueue` (opaque to the store).
    package var ticket: Int

    package init(event: Event, encoded: (scope: String, recurrence: String?), createdAt: Int64, ticket: Int) {
        self.event = event
        self.encoded = encoded
        self.createdAt = createdAt
        self.ticket = ticket
    }
}

// MARK: - The unfenced forms and defaults the runtime calls

extension ActuatorStore {
    public func reserve(shadow: ShadowRecord, on host: String, at now: Int64) throws(MetricStoreError) -> ReservationOutcome {
        try reserve(shadow: shadow, on: host, at: now, fence: nil)
    }

    public func adopt(shadow: ShadowRecord, reserving: Bool, at now: Int64) throws(MetricStoreError) {
        try adopt(shadow: shadow, reserving: reserving, at: now, fence: nil)
    }

    @discardableResult
    public func release(shadow id: String) throws(MetricStoreError) -> Bool {
        try release(shadow: id, fence: nil)
    }

    @discardableResult
    public func transition(shadow id: String, from: ShadowState, to: ShadowState, at now: Int64,
                           fence: LeaseFence? = nil) throws(MetricStoreError) -> Bool {
        try transition(shadow: id, fromAnyOf: [from], to: to, at: now, fence: fence)
    }

    @discardableResult
    public func transition(shadow id: String, fromAnyOf states: Set<ShadowState>, to: ShadowState,
                           at now: Int64) throws(MetricStoreError) -> Bool {
        try transition(shadow: id, fromAnyOf: states, to: to, at: now, fence: nil)
    }

    public func shadows(host: String? = nil, group: String? = nil) throws(MetricStoreError) -> [ShadowRecord] {
        try shadows(host: host, group: group, states: nil)
    }

    public func shadows(host: String? = nil, group: String? = nil, states: Set<ShadowState>) throws(MetricStoreError) -> [ShadowRecord] {
        try shadows(host: host, group: group, states: Optional(states))
    }

    package func beginActivation(id: String, shadow shadowID: String, at now: Int64) throws(MetricStoreError) -> ActivationClaim {
        try beginActivation(id: id, shadow: shadowID, at: now, fence: nil)
    }

    @discardableResult
    package func finishActivation(id: String, outcome: ActivationRecord.Outcome, stepLatencies: [String: Double] = [:],
                                 at now: Int64) throws(MetricStoreError) -> Bool {
        try finishActivation(id: id, outcome: outcome, stepLatencies: stepLatencies, at: now, fence: nil)
    }

    @discardableResult
    public func insert(decisions: [(group: String, time: Int64, json: String)],
                       states: [StoredState] = []) throws(MetricStoreError) -> [Int64] {
        try insert(decisions: decisions, states: states, fences: [])
    }

    public func decisions(group: String) throws(MetricStoreError) -> [StoredDecision] {
        try decisions(group: group, limit: 1)
    }

    @discardableResult
    public func insert(events: [Event]) throws(MetricStoreError) -> [Int64] {
        try insert(events: events, createdAt: Int64(Date().timeIntervalSince1970))
    }

    package func events(kind: Event.Kind? = nil, overlapping window: Range<Int64>? = nil) throws(MetricStoreError) -> [StoredEvent] {
        try events(kind: kind, overlapping: window, scope: .any)
    }

    package func events(kind: Event.Kind? = nil, scope: EventScopeFilter) throws(MetricStoreError) -> [StoredEvent] {
        try events(kind: kind, overlapping: nil, scope: scope)
    }

    package func events(overlapping window: Range<Int64>?, scope: EventScopeFilter) throws(MetricStoreError) -> [StoredEvent] {
        try events(kind: nil, overlapping: window, scope: scope)
    }

    package func routes(states: Set<RouteRecord.State> = []) throws(MetricStoreError) -> [RouteRecord] {
        try routes(states: states, group: nil)
    }

    package func routes(group: String) throws(MetricStoreError) -> [RouteRecord] {
        try routes(states: [], group: group)
    }

    public func series(key: String) throws(MetricStoreError) -> Series? {
        try series(key: key, from: nil, to: nil)
    }

    public func series(key: String, from: Int64?) throws(MetricStoreError) -> Series? {
        try series(key: key, from: from, to: nil)
    }

    public func series(key: String, to: Int64?) throws(MetricStoreError) -> Series? {
        try series(key: key, from: nil, to: to)
    }

    /// Every host, sorted by name.
    public func hosts() throws(MetricStoreError) -> [HostRecord] {
        try hostAvailability().map(\.host)
    }

    /// Per host with at least one reservation: the reserved amount and the shadows holding it —
    /// what a regular scheduler subtracts to avoid flagged capacity. Sorted by host.
    package func reservedCapacity() throws(MetricStoreError) -> [HostReservations] {
        var byHost: [String: HostReservations] = [:]
        for reservation in try reservations() {
            var entry = byHost[reservation.host] ?? HostReservations(host: reservation.host, reserved: .zero, shadowIDs: [])
            entry.reserved = entry.reserved + reservation.amount
            entry.shadowIDs.append(reservation.shadowID)
            byHost[reservation.host] = entry
        }
        return byHost.values.sorted { $0.host < $1.host }
    }
}
