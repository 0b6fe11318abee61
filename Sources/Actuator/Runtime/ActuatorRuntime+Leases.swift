import Foundation
import MetricStore

/// The cycle's side of group leases (docs/actuator.md, "Several actuators").
extension ActuatorRuntime {
    /// Renews, acquires and rebalances this actuator's leases, adopts the groups newly taken (what
    /// the previous holder left: its shadows, an activation it did not finish), and returns the
    /// groups this cycle decides, provisions and activates for. Without leases: every group.
    func leaseStep(now: Int64, report: inout CycleReport) async -> [GroupConfiguration] {
        guard let keeper = leaseKeeper else { return configuration.groups }
        let pass = keeper.pass(at: now, rebalance: true)
        if let error = pass.error {
            report.problems.append("leases: \(error): groups whose leases run out are left to the other actuators")
        }
        for group in pass.lost {
            report.problems.append("group \(group): lease lost (taken over or expired): work on it stopped")
            metrics.recordLeaseLost(group)
        }
        for (_, conflict) in pass.conflicts.sorted(by: { $0.key < $1.key }) { report.problems.append(conflict) }
        if !pass.acquired.isEmpty { report.notes.append("leases: acquired \(pass.acquired.joined(separator: ", "))") }
        if !pass.released.isEmpty {
            report.notes.append("leases: released \(pass.released.joined(separator: ", ")) to \(pass.live.count) live actuator(s) (share \(pass.share))")
        }
        metrics.recordLeases(pass, conflicts: pass.conflicts.count)
        let taken = keeper.takeAdoptions().filter { leaseBook.holds($0, at: now) }
        restoreSizing(of: taken, live: Set(pass.live), now: now, problems: &report.problems)
        if !taken.isEmpty {
            for (host, hypervisor) in hypervisors.sorted(by: { $0.key < $1.key }) {
                do {
                    let adopted = try await adopt(host: host, hypervisor: hypervisor, only: taken)
                    for (action, reason) in adopted.failed {
                        report.problems.append("host \(host): adoption of a group taken over: \(action): \(reason)")
                    }
                } catch {
                    report.problems.append("host \(host): adoption of groups taken over failed: \(error)")
                }
            }
            for shadow in (try? store.shadows(states: [.active])) ?? [] where taken.contains(shadow.group) {
                try? await monitoring.watch(group: shadow.group, domain: shadow.domainName, host: shadow.host)
            }
        }
        return configuration.groups.filter { leaseBook.holds($0.name, at: now) }
    }

    /// Writes refused with `leaseLost` during the cycle: each stopped work on its group at once.
    func reportRefusals(_ report: inout CycleReport) {
        for group in leaseBook.takeRefusals() {
            report.problems.append("group \(group): a write was refused (lease lost): work on it stopped, not retried")
            metrics.recordLeaseLost(group)
        }
    }

    /// Each group's configuration fingerprint (the group's settings and the decision interval):
    /// two actuators configured alike for a group publish the same one.
    static func fingerprints(_ configuration: ActuatorConfiguration) -> [String: String] {
        Dictionary(configuration.groups.map { g in
            (g.name, LeaseKeeper.fingerprint("interval=\(configuration.interval) " + String(reflecting: g)))
        }, uniquingKeysWith: { a, _ in a })
    }
}
