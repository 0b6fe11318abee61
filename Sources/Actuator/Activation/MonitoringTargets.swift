/// Adds activated VMs to monitoring and removes decommissioned ones: the step of an activation
/// between resume and routing. Idempotent, like `TrafficRouter`.
public protocol MonitoringTargets: Sendable {
    func watch(group: String, domain: String, host: String) async throws(RoutingError)
    func unwatch(domain: String) async throws(RoutingError)
}

import Foundation
import Synchronization

/// The VMs monitoring should scrape, kept in memory (the actuator's own stats collection reads
/// it) and, when a path is configured, written as a Prometheus file-based service-discovery
/// document (`file_sd_configs`) so that an existing Prometheus picks activated VMs up: one target
/// group per VM with labels `group`, `host` and `domain`. Written atomically (temp + rename).
public final class MonitoredDomains: MonitoringTargets {
    public struct Target: Sendable, Hashable, Codable {
        public var group: String
        public var domain: String
        public var host: String
    }
    private let targets = Mutex<[String: Target]>([:])
    public let path: String?

    public init(path: String? = nil) { self.path = path }

    public var current: [Target] { targets.withLock { Array($0.values) }.sorted { $0.domain < $1.domain } }

    public func watch(group: String, domain: String, host: String) async throws(RoutingError) {
        let changed = targets.withLock { t in
            let new = Target(group: group, domain: domain, host: host)
            defer { t[domain] = new }
            return t[domain] != new
        }
        if changed { try write() }
    }

    public func unwatch(domain: String) async throws(RoutingError) {
        if targets.withLock({ $0.removeValue(forKey: domain) }) != nil { try write() }
    }

    private func write() throws(RoutingError) {
        guard let path else { return }
        struct Group: Encodable { var targets: [String]; var labels: [String: String] }
        let doc = current.map { Group(targets: [$0.domain], labels: ["group": $0.group, "host": $0.host, "domain": $0.domain]) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(doc).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RoutingError(router: "monitoring", "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
