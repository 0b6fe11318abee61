import Foundation
import Hypervisor
import Synchronization
import MetricStore
import TimeSeries

/// One group as one collection saw it.
public struct GroupSample: Sendable, Hashable {
    public var group: String
    public var time: Int64
    /// Σ of each VM metric over the running members and activated shadows; a metric is absent when
    /// any of them had a gap in it (a partial sum would understate demand).
    public var sums: [String: Double]
    /// Running members (regular VMs matched by `members`) and their capacity units: each adds
    /// `unit × vCPUs / the shadow's full vCPUs`.
    public var members: [String]
    package var memberUnits: Double
}

/// What one collection did (`Collector.collect`).
public struct CollectionReport: Sendable {
    public var time: Int64
    package var vms: [VMRates] = []
    public var groups: [GroupSample] = []
    /// Hosts that did not answer, VMs that disappeared, counters that reset: each a gap, said here.
    public var problems: [String] = []
    /// Samples written to the store (closed model intervals) and removed by the retention.
    public var written = 0
    package var expired = 0
    public var seconds: Double = 0
}

/// Collects every host's bulk domain stats (`Hypervisor.stats`, one `virConnectGetAllDomainStats`
/// per host), turns counters into rates per VM, sums them per group, and keeps them in the store
/// per VM and per group at the model interval, for as long as `retention` (docs/actuator.md,
/// "Collector"). Runs beside the decision loop, never inside it.
public actor Collector {
    public struct Settings: Sendable, Hashable {
        /// Seconds between collections.
        public var interval: Int64 = 10
        /// Seconds of collected samples kept in the store.
        package var retention: Int64 = 7 * 86_400
        /// Seconds one host's stats call may take before the host counts as not answering.
        public var timeout: Double = 5
        public init() {}
    }

    let settings: Settings
    let groups: [GroupConfiguration]
    /// The groups that name members: each VM is matched against these only (a fleet of 10,000
    /// groups with a handful of member globs must not cost 10,000 checks per VM).
    let memberGroups: [GroupConfiguration]
    let hypervisors: [String: any Hypervisor]
    let store: any ActuatorStore
    private var previous: [String: [String: (stats: DomainStats, time: Int64)]] = [:]
    private var pending: [String: Task<[DomainStats], any Error>] = [:]
    private var kept: SampleKeeper
    /// Whether a group names members by metadata tag (`tag:…`): only then are tags read.
    let usesTags: Bool
    /// Per host: the member tags read (Collect/MemberTagCache.swift) and a tag reading still running.
    private var tags: [String: MemberTagCache] = [:]
    private var pendingTags: [String: Task<[(String, Result<String?, HypervisorError>)], Never>] = [:]

    public init(settings: Settings, groups: [GroupConfiguration], hypervisors: [String: any Hypervisor],
                store: any ActuatorStore, modelInterval: Int64) {
        self.settings = settings
        self.groups = groups
        memberGroups = groups.filter { !$0.members.isEmpty }
        usesTags = memberGroups.contains { $0.members.contains { $0.tag != nil } }
        self.hypervisors = hypervisors
        self.store = store
        kept = SampleKeeper(store: store, modelInterval: modelInterval, retention: settings.retention)
    }

    /// One collection at `now` (Unix seconds).
    public func collect(now: Int64) async -> CollectionReport {
        let started = ContinuousClock.now
        var report = CollectionReport(time: now)
        let shadows = (try? store.shadows(states: [.ready, .activating, .active])) ?? []
        let shadowGroup = Dictionary(shadows.map { ($0.domainName, ($0.group, $0.state)) }, uniquingKeysWith: { a, _ in a })
        var sums: [String: [String: Double]] = [:]
        var broken: [String: Set<String>] = [:]
        var members: [String: [String]] = [:]
        var memberUnits: [String: Double] = [:]
        for (host, hypervisor) in hypervisors.sorted(by: { $0.key < $1.key }) {
            let stats: [DomainStats]
            do {
                stats = try await answer(host: host, hypervisor)
            } catch {
                // Rates across the outage would average over time nobody saw: start over.
                previous[host] = nil
                report.problems.append("host \(host): no stats (\(error)); its VMs are gaps this collection")
                continue
            }
            var seen: [String: (stats: DomainStats, time: Int64)] = [:]
            var hostTags = MemberTagCache()
            if usesTags {
                hostTags = await readTags(host: host, hypervisor, names: stats.map(\.name).filter { shadowGroup[$0] == nil },
                                          now: now, problems: &report.problems)
            }
            for s in stats {
                let before = previous[host]?[s.name]
                var rates = VMRates.between(before?.stats, at: before?.time ?? now, and: s, at: now)
                seen[s.name] = (s, now)
                let group: String?
                let counted: Bool
                if let (g, state) = shadowGroup[s.name] {
                    group = g
                    counted = state != .ready && s.state == .running
                } else if let g = memberGroups.first(where: { $0.members.contains { $0.matches(s.name, tag: hostTags.tag(of: s.name)) } }) {
                    group = g.name
                    counted = s.state == .running
                    if counted {
                        members[g.name, default: []].append(s.name)
                        memberUnits[g.name, default: 0] += Self.units(of: s.vcpus, in: g)
                    }
                } else {
                    continue  // not psm's and not a member: not collected
                }
                if before != nil, !rates.gaps.isEmpty {
                    report.problems.append("vm \(s.name) on \(host): \(rates.gaps.joined(separator: ", ")): a gap, not a rate")
                }
                if before == nil { rates.gaps = ["no earlier sample"] }
                report.vms.append(rates)
                for metric in VMRates.metrics {
                    guard let value = rates.value(of: metric) else {
                        if counted, let group { broken[group, default: []].insert(metric) }
                        continue
                    }
                    if counted, let group { sums[group, default: [:]][metric, default: 0] += value }
                    kept.add("vm/\(s.name)/\(metric)", metric: metric, group: group, value: value, at: now)
                }
            }
            for name in (previous[host] ?? [:]).keys where seen[name] == nil {
                report.problems.append("vm \(name) on \(host) disappeared (stopped, migrated or removed): no more samples")
            }
            previous[host] = seen
        }
        for g in groups {
            var groupSums = sums[g.name] ?? [:]
            for metric in broken[g.name] ?? [] { groupSums[metric] = nil }
            // A group with no counted VM sums to zero in every metric it could have.
            if sums[g.name] == nil, broken[g.name] == nil { for m in VMRates.metrics { groupSums[m] = 0 } }
            let sample = GroupSample(group: g.name, time: now, sums: groupSums, members: members[g.name] ?? [],
                                     memberUnits: memberUnits[g.name] ?? 0)
            report.groups.append(sample)
            for (metric, value) in groupSums.sorted(by: { $0.key < $1.key }) {
                kept.add("\(g.name)/\(metric)", metric: metric, group: g.name, value: value, at: now)
            }
            if !g.members.isEmpty {
                kept.add("\(g.name)/member_units", metric: "member_units", group: g.name, value: sample.memberUnits, at: now)
            }
        }
        do {
            (report.written, report.expired) = try await SampleKeeper.write(kept.take(now: now), to: store)
        } catch {
            report.problems.append("collected samples not stored: \(error)")
        }
        let d = ContinuousClock.now - started
        report.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return report
    }

    /// Capacity units a running member adds: the group's unit scaled by its vCPUs against the
    /// shadow's full vCPUs; one unit when the driver does not report its vCPUs.
    static func units(of vcpus: Int?, in g: GroupConfiguration) -> Double {
        let full = max(g.template.full.vcpus, 1)
        return Double(g.template.units) * Double(vcpus ?? full) / Double(full)
    }

    /// The member tags of `names` (the host's domains that are not shadows), reading those not read
    /// yet and a few stale ones (`MemberTagCache`) within `timeout`; a tag that could not be read
    /// leaves its domain unmatched by tag this collection (a problem line) and is read again next time.
    private func readTags(host: String, _ hypervisor: any Hypervisor, names: [String], now: Int64,
                          problems: inout [String]) async -> MemberTagCache {
        var cache = tags[host] ?? MemberTagCache()
        cache.keep(only: Set(names))
        let due = cache.due(names, now: now)
        if !due.isEmpty {
            if pendingTags[host] != nil {
                problems.append("host \(host): member tags not read (an earlier reading still waits for libvirt)")
            } else {
                let task = Task { () -> [(String, Result<String?, HypervisorError>)] in
                    var out: [(String, Result<String?, HypervisorError>)] = []
                    for name in due {
                        do throws(HypervisorError) {
                            out.append((name, .success(try await hypervisor.memberTag(of: name))))
                        } catch {
                            out.append((name, .failure(error)))
                        }
                    }
                    return out
                }
                pendingTags[host] = task
                let timeout = settings.timeout
                let outcome: [(String, Result<String?, HypervisorError>)]? = await withCheckedContinuation { continuation in
                    let first = Mutex(true)
                    let finish: @Sendable ([(String, Result<String?, HypervisorError>)]?) -> Void = { value in
                        if first.withLock({ let was = $0; $0 = false; return was }) { continuation.resume(returning: value) }
                    }
                    Task { finish(await task.value) }
                    Task {
                        try? await Task.sleep(for: .seconds(timeout))
                        finish(nil)
                    }
                }
                if let outcome {
                    pendingTags[host] = nil
                    for (name, result) in outcome {
                        switch result {
                        case .success(let tag): cache.record(name, tag: tag, at: now)
                        case .failure(let error) where error.code == .notFound: continue // gone since the stats call
                        case .failure(let error): problems.append("vm \(name) on \(host): member tag not read (\(error))")
                        }
                    }
                } else {
                    // Kept when it ends (a host slower than the timeout still gets its tags), and
                    // cleared, so a later collection may read again.
                    Task { [weak self] in await self?.tagReadEnded(host: host, await task.value, at: now) }
                    problems.append("host \(host): member tags not read within \(timeout) s")
                }
            }
        }
        tags[host] = cache
        return cache
    }

    private func tagReadEnded(host: String, _ results: [(String, Result<String?, HypervisorError>)], at now: Int64) {
        pendingTags[host] = nil
        for case let (name, .success(tag)) in results { tags[host, default: MemberTagCache()].record(name, tag: tag, at: now) }
    }

    /// The host's stats, or an error when it fails or takes longer than `timeout`. A call still
    /// running from an earlier collection (a hung host) is not started again.
    private func answer(host: String, _ hypervisor: any Hypervisor) async throws -> [DomainStats] {
        let task: Task<[DomainStats], any Error>
        if let running = pending[host] {
            task = running
        } else {
            task = Task { try await hypervisor.stats() }
            pending[host] = task
        }
        let timeout = settings.timeout
        // A race that never waits for the loser: a hung libvirt call cannot be cancelled.
        let outcome: Result<[DomainStats], any Error>? = await withCheckedContinuation { continuation in
            let first = Mutex(true)
            let finish: @Sendable (Result<[DomainStats], any Error>?) -> Void = { value in
                if first.withLock({ let was = $0; $0 = false; return was }) { continuation.resume(returning: value) }
            }
            Task { finish(await task.result) }
            Task {
                try? await Task.sleep(for: .seconds(timeout))
                finish(nil)
            }
        }
        guard let outcome else {
            throw CollectorError("did not answer within \(timeout) s (still waiting for it)")
        }
        pending[host] = nil
        return try outcome.get()
    }
}

/// A collection step that failed, in words.
package struct CollectorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
