import Hypervisor
import MetricStore
import Scaling

/// What one check of the hosts found.
struct HostCheck: Sendable {
    var states: [String: HostState] = [:]
    var problems: [String] = []
    var notes: [String] = []
}

/// Hosts measured each cycle, and hosts that stop answering (docs/actuator.md, "Lost hosts").
extension ActuatorRuntime {
    /// Measures every connected host (`HostMeasurement`) and records it; a host failing with a
    /// connection error becomes unreachable, and after `host_grace` seconds lost: its shadows are
    /// marked lost (gone, reservations released) so that the reconciler places replacements on
    /// the other hosts. A lost host that answers again is adopted: what it still runs is reconciled
    /// against the store (`Adoption`: parked shadows lost with it are removed — they were
    /// replaced —, activated ones that still run are adopted as members).
    func checkHosts() async -> HostCheck {
        var check = HostCheck()
        let now = clock.now()
        let reservedByHost = reservedDomains()
        for host in configuration.hosts where host.enabled {
            guard let hypervisor = hypervisors[host.name] else {
                // Not connected since the start: unreachable like a host that stopped answering,
                // so nothing is placed there and its shadows are replaced after the grace period.
                let error = HypervisorError(code: .connectionFailed, operation: "connect",
                                            message: hostProblems[host.name] ?? "not connected")
                check.states[host.name] = unreachable(host.name, error: error, now: now, check: &check)
                continue
            }
            do {
                let measurement = try await HostMeasurement.measure(host, hypervisor: hypervisor,
                                                                    reservedDomains: reservedByHost[host.name] ?? [])
                let before = try store.recordMeasurement(measurement.record, ofHost: host.name, at: now)
                check.states[host.name] = .up
                if before == .unreachable {
                    check.notes.append("host \(host.name) answers again")
                } else if before == .lost {
                    check.notes.append(await returned(host.name, hypervisor: hypervisor))
                    // Measured again: adoption removed domains or gave them reservations.
                    let adopted = try await HostMeasurement.measure(host, hypervisor: hypervisor,
                                                                    reservedDomains: reservedDomains()[host.name] ?? [])
                    try store.recordMeasurement(adopted.record, ofHost: host.name, at: now)
                }
            } catch let error as HypervisorError where error.code == .connectionLost || error.code == .connectionFailed {
                check.states[host.name] = unreachable(host.name, error: error, now: now, check: &check)
            } catch {
                // Any other failure says nothing about reachability: the last measurement stays.
                check.problems.append("host \(host.name): cannot measure capacity: \(error)")
                check.states[host.name] = (try? store.hostAvailability(host.name))?.host.status.state ?? .up
            }
        }
        recordHostMetrics()
        return check
    }

    /// The per-host gauges from the store (after the check, and at the end of each cycle, once the
    /// reconciler placed what it could).
    func recordHostMetrics() {
        let configured = Set(configuration.hosts.map(\.name))
        for availability in (try? store.hostAvailability()) ?? [] where configured.contains(availability.host.name) {
            metrics.recordHost(availability)
        }
    }

    /// Records a failed check; past the grace period, marks the host lost.
    private func unreachable(_ host: String, error: HypervisorError, now: Int64, check: inout HostCheck) -> HostState {
        let status: HostStatus?
        do { status = try store.recordUnreachable(host: host, error: "\(error)", at: now) } catch {
            check.problems.append("host \(host): unreachable, and its state cannot be stored: \(error)")
            return .unreachable
        }
        guard let status else { return .unreachable }
        let since = status.unreachableSince ?? now
        switch status.state {
        case .up:
            return .up
        case .lost:
            check.problems.append("host \(host): lost since \(status.lostAt ?? since), still unreachable: \(error.message)")
            return .lost
        case .unreachable:
            guard now - since >= configuration.hostGrace, !dryRun else {
                check.problems.append("host \(host): unreachable for \(now - since) s (lost after \(configuration.hostGrace) s): \(error.message)")
                return .unreachable
            }
            do {
                let lost = try store.markHostLost(host, at: now)
                metrics.recordHostLost(host)
                check.problems.append("host \(host): lost after \(now - since) s unreachable; \(lost.count) shadow(s) marked lost, "
                    + "their reservations released and replacements placed on other hosts: "
                    + lost.map(\.id).joined(separator: ", "))
                return .lost
            } catch {
                check.problems.append("host \(host): cannot mark it lost: \(error)")
                return .unreachable
            }
        }
    }

    /// A lost host answers again: adoption reconciles what it still runs.
    private func returned(_ host: String, hypervisor: any Hypervisor) async -> String {
        guard !dryRun else { return "host \(host) answers again after it was lost (dry run: not adopted)" }
        do {
            let report = try await adopt(host: host, hypervisor: hypervisor)
            var removed = 0, adopted = 0
            for action in report.applied {
                switch action {
                case .removeDomain: removed += 1
                case .adopt: adopted += 1
                default: break
                }
            }
            for (action, reason) in report.failed { hostProblems["\(host): \(action)"] = reason }
            return "host \(host) answers again after it was lost: \(adopted) domain(s) re-adopted, \(removed) removed"
                + (report.failed.isEmpty ? "" : ", \(report.failed.count) step(s) failed (retried at the next start)")
        } catch {
            return "host \(host) answers again after it was lost, but adoption failed: \(error)"
        }
    }

    /// Per host: the domain names of the shadows holding a reservation there — those in the
    /// states that hold one (the store's invariant: planned, defining, ready, activating,
    /// decommissioning), read in one query.
    func reservedDomains() -> [String: Set<String>] {
        guard let shadows = try? store.shadows(states: [.planned, .defining, .ready, .activating, .decommissioning]) else { return [:] }
        var out: [String: Set<String>] = [:]
        for s in shadows { out[s.host, default: []].insert(s.domainName) }
        return out
    }
}
