@testable import Actuator
import Scaling
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import PostgresStore

/// Where the actuators of a lease test keep their shared state: one SQLite file, or one database
/// of the test PostgreSQL (PSM_TEST_POSTGRES, started by scripts/pg-test.sh).
enum SharedStore: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    var description: String { rawValue }

    static let postgresURL: String? = ProcessInfo.processInfo.environment["PSM_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    /// The kinds this run can test (PostgreSQL only under scripts/pg-test.sh).
    static var available: [SharedStore] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// Several actuator runtimes in one process sharing one store and the same libvirt test-driver
/// hosts (the same connections: one libvirt truth, as actuators sharing real hosts see), with
/// `groups` groups `g1`…`gN` of one shadow each (bounds 1…1).
struct LeaseFleet {
    var fleet: FleetFixture
    let kind: SharedStore
    /// The SQLite path or the PostgreSQL URL of the fresh database.
    let location: String
    let lease: Int64
    /// The fresh PostgreSQL database (nil with SQLite).
    let databaseName: String?

    init(kind: SharedStore, groups: Int, lease: Int64 = 30) throws {
        fleet = try FleetFixture(hosts: [("h1", 64, 65_536), ("h2", 64, 65_536)], pool: 1)
        self.kind = kind
        self.lease = lease
        let template = fleet.base.configuration.groups[0]
        var all: [GroupConfiguration] = []
        for i in 1...groups {
            var g = template
            g.name = "g\(i)"
            all.append(g)
            fleet.base.configuration.sizing.bounds[g.name] = template.bounds
        }
        fleet.base.configuration.groups = all
        fleet.base.configuration.leaseSeconds = lease
        switch kind {
        case .sqlite:
            location = fleet.base.configuration.store
            databaseName = nil
        case .postgres:
            let base = try require(SharedStore.postgresURL)
            let name = "psm_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try PostgresStore(url: base).createDatabase(named: String(name))
            location = base.replacingOccurrences(of: "postgres:///psm?", with: "postgres:///\(name)?")
            databaseName = String(name)
        }
    }

    /// PostgreSQL goes away for this fleet's database (`available: false`): new connections are
    /// refused and every open one is terminated, as when the server stops or fails over — without
    /// stopping the server the other tests share. `true` lets connections in again.
    func setDatabase(available: Bool) throws {
        let name = try require(databaseName, "a PostgreSQL database")
        let admin = try PostgresStore(url: try require(SharedStore.postgresURL))
        try admin.inTransaction("switch database \(name)") { s in
            try s.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS \(available)")
            if !available {
                try s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
            }
        }
    }

    /// A store connection of its own (as each actuator process has).
    func openStore() throws -> any ActuatorStore {
        switch kind {
        case .sqlite: try MetricStore(path: location)
        case .postgres: try PostgresStore(url: location)
        }
    }

    /// Actuator `id`, configured as the fleet unless `configure` changes it.
    func runtime(_ id: String, clock: ManualWallClock, metrics: ActuatorMetrics = ActuatorMetrics(),
                 configure: (inout ActuatorConfiguration) -> Void = { _ in }) async throws -> ActuatorRuntime {
        var configuration = fleet.base.configuration
        configuration.actuatorID = id
        configure(&configuration)
        let connections = fleet.hypervisors
        return try await ActuatorRuntime(configuration: configuration, clock: clock, metrics: metrics, store: try openStore(),
                                         connect: { host in
            guard let h = connections[host.name] else { throw HypervisorError(code: .connectionFailed, operation: "connect", message: host.name) }
            return h
        })
    }

    /// Group → owner of the leases unexpired at `now`, from the store.
    func owners(at now: Int64) throws -> [String: String] {
        var out: [String: String] = [:]
        for lease in try openStore().leases() where lease.expiresAt > now && !lease.group.hasPrefix(LeaseKeeper.memberPrefix) {
            out[lease.group] = lease.owner
        }
        return out
    }

    /// The invariants from libvirt and the store: per group, the shadows not gone and the psm
    /// domains on the hosts (by shadow id); a domain without a live record is an orphan, a shadow
    /// id with two domains or two succeeded activations a double.
    func audit() async throws -> (pools: [String: Int], orphans: [String], doubles: [String]) {
        let store = try openStore()
        let live = try store.shadows(states: [.planned, .defining, .ready, .activating, .active, .decommissioning])
        var pools: [String: Int] = [:]
        for s in live { pools[s.group, default: 0] += 1 }
        let ids = Set(live.map(\.id))
        var seen: [String: Int] = [:]
        var orphans: [String] = []
        for (_, hypervisor) in fleet.hypervisors {
            for domain in try await hypervisor.list() {
                guard let tag = domain.metadata else { continue }
                seen[tag.shadowID, default: 0] += 1
                if !ids.contains(tag.shadowID) { orphans.append(domain.name) }
            }
        }
        var doubles = seen.filter { $0.value > 1 }.map(\.key)
        for s in live where try store.activations(shadow: s.id).filter({ $0.outcome == .succeeded }).count > 1 {
            doubles.append(s.id)
        }
        return (pools, orphans.sorted(), doubles.sorted())
    }

    func cleanUp() { fleet.cleanUp() }
}

func require<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw MetricStoreError(.cannotOpen, "missing \(what)") }
    return value
}
