import Hypervisor
import LibvirtHypervisor
import MetricStore
import PostgresStore

/// The invariants, from libvirt and the database: the live records, the psm domains without a
/// record (orphans), shadows activated twice or defined twice (doubles), and records whose domain
/// is gone or whose activation nobody finishes (lost).
struct Audit {
    var live: [ShadowRecord]
    var orphans: Set<String>
    var doubles: Int
    var lost: Set<String>
}

func audit(store: PostgresStore, hosts: [String: LibvirtHypervisor]) async throws -> Audit {
    let live = try store.shadows(states: [.planned, .defining, .ready, .activating, .active, .decommissioning])
    let liveIDs = Set(live.map(\.id))
    var domainsByShadow: [String: [String]] = [:]
    var orphans: Set<String> = []
    for (host, hypervisor) in hosts {
        for domain in try await hypervisor.list() {
            guard let tag = domain.metadata else { continue }
            domainsByShadow[tag.shadowID, default: []].append("\(host)/\(domain.name)")
            if !liveIDs.contains(tag.shadowID) { orphans.insert("\(host)/\(domain.name)") }
        }
    }
    var doubles = domainsByShadow.values.filter { $0.count > 1 }.count
    for s in live where try store.activations(shadow: s.id).filter({ $0.outcome == .succeeded }).count > 1 { doubles += 1 }
    // A record whose domain is gone, or an activation left open with nobody to finish it.
    let lost = Set(live.filter { ($0.state != .planned && domainsByShadow[$0.id] == nil) || $0.state == .activating }
        .map { "\($0.id)@\($0.updatedAt)" })
    return Audit(live: live, orphans: orphans, doubles: doubles, lost: lost)
}
