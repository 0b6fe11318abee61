import Foundation
import MetricStore
import PostgresStore

/// The store calls of one decision cycle for N groups, SQLite against PostgreSQL (a local
/// socket), on the same rows: the shadow listing the cycle starts with,
/// host availability (50 hosts), the decision log's insert of N decisions with the sizing state
/// in the same transaction, and the reconciler's listing of the shadows it acts on. 2 ready
/// shadows per group; decision JSON of 600 bytes (a `DecisionLog` row's size order).
enum StoreBench {
    struct Lap { var listing = 0.0, availability = 0.0, log = 0.0, reconcile = 0.0
        var total: Double { listing + availability + log + reconcile } }

    static func run(directory: URL, groups: Int, cycles: Int, postgres: String?) throws -> [String: Double] {
        var results: [String: Double] = [:]
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("store-bench-\(UUID().uuidString.prefix(8)).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var stores: [(String, any ActuatorStore)] = [("SQLite (file, synchronous=NORMAL)", try MetricStore(path: path, durability: .process))]
        if let postgres { stores.append(("PostgreSQL (local socket)", try PostgresStore(url: postgres))) }
        for (name, store) in stores {
            let t0 = Date()
            try fill(store, groups: groups)
            FileHandle.standardError.write(Data("psm-store-bench: \(name): \(groups) groups, \(2 * groups) shadows written in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s\n".utf8))
            var laps: [Lap] = []
            for c in 0..<(cycles + 2) {
                let lap = try cycle(store, groups: groups, time: Int64(1_000_000 + c * 300))
                if c >= 2 { laps.append(lap) }
            }
            let key = name.hasPrefix("SQLite") ? "store_sqlite" : "store_postgres"
            print("store calls of one decision cycle, \(groups) groups, \(name), median of \(laps.count):")
            for (label, field, values) in [("shadow listing", "listing", laps.map(\.listing)),
                                           ("host availability", "availability", laps.map(\.availability)),
                                           ("decision log + state", "log", laps.map(\.log)),
                                           ("reconciler listing", "reconcile", laps.map(\.reconcile)),
                                           ("total", "total", laps.map(\.total))] {
                print("  \(label.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", median(values) * 1000)) ms")
                results["\(key)_\(field)_ms"] = median(values) * 1000
            }
        }
        return results
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }

    static func fill(_ store: any ActuatorStore, groups: Int) throws {
        guard try store.hostAvailability().isEmpty else { return }
        for h in 0..<50 {
            try store.upsertHost(HostRecord(name: "h\(h)", uri: "test:///default",
                                            capacity: CapacityAmount(vcpus: 1 << 30, memoryMiB: 1 << 40, units: 1 << 30), updatedAt: 0))
        }
        for g in 0..<groups {
            for k in 0..<2 {
                let id = "g\(g)-\(k)"
                try store.adopt(shadow: ShadowRecord(id: id, group: "g\(g)", host: "h\((g * 2 + k) % 50)", domainName: "psm-\(id)",
                                                     state: .ready, baselineVCPUs: 1, baselineMemoryMiB: 1024, fullVCPUs: 4,
                                                     fullMemoryMiB: 8192, reservedUnits: 4, createdAt: 0, updatedAt: 0),
                                reserving: true, at: 0)
            }
        }
    }

    static func cycle(_ store: any ActuatorStore, groups: Int, time: Int64) throws -> Lap {
        let clock = ContinuousClock()
        var lap = Lap()
        let json = "{\"explanation\":[\"" + String(repeating: "x", count: 560) + "\"],\"n\":1}"
        lap.listing = seconds(try clock.measure { _ = try store.shadows(states: [.planned, .defining, .ready, .activating, .active]) })
        lap.availability = seconds(try clock.measure { _ = try store.hostAvailability() })
        let rows = (0..<groups).map { (group: "g\($0)", time: time, json: json) }
        let state = StoredState(name: "sizing", version: 1, time: time, json: String(repeating: "s", count: groups * 40))
        lap.log = seconds(try clock.measure { _ = try store.insert(decisions: rows, states: [state]) })
        lap.reconcile = seconds(try clock.measure { _ = try store.shadows(states: [.planned, .defining, .ready, .decommissioning]) })
        return lap
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
