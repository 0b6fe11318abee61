import Foundation
import Hypervisor
import RealVMSupport

/// The guest stopped talking (or never started): what was awaited, and the log's tail.
package struct GuestSilent: Error, CustomStringConvertible {
    package var awaited: String
    public var domain: String
    package var tail: String
    public var description: String { "\(domain): no \(awaited) in the serial log; its tail:\n\(tail)" }
}

/// Drives one real shadow through psm's `Hypervisor` and times each step from the guest's own
/// output: the sequence the real-VM tests check and `psm-realvm-bench` measures.
public struct ShadowDriver: Sendable {
    /// The shadow's predicted full size (its maximum): 4 vCPUs, 1 GiB.
    public static let full = ResourceSize(vcpus: 4, memoryKiB: 1_048_576)
    /// Its baseline while parked: 1 vCPU, 256 MiB.
    public static let baseline = ResourceSize(vcpus: 1, memoryKiB: 262_144)
    /// What activation grows it to: 2 vCPUs, 768 MiB.
    public static let activated = ResourceSize(vcpus: 2, memoryKiB: 786_432)

    public let hypervisor: any Hypervisor
    public let guest: RealVMGuest
    /// How long to wait for the guest to boot (TCG on a loaded 2-core machine: 8 s typical).
    package var bootTimeout: Duration = .seconds(90)
    /// How long to wait for a heartbeat or for the guest to show its new size.
    package var heartbeatTimeout: Duration = .seconds(20)

    public init(hypervisor: any Hypervisor, guest: RealVMGuest) {
        self.hypervisor = hypervisor
        self.guest = guest
    }

    /// A shadow spec at the baseline, tagged with psm's metadata.
    package func shadowSpec(_ name: String) -> DomainSpec {
        let tag = ShadowMetadata(group: "realvm", shadowID: name, baseline: Self.baseline, full: Self.full,
                                 createdAt: Int64(Date().timeIntervalSince1970))
        return guest.spec(name: name, maximum: Self.full, current: Self.baseline, metadata: tag)
    }

    /// Defines and starts `name` and waits for `PSM-READY`: the cold start, timed from define.
    public func coldStart(_ name: String) async throws -> Duration {
        let log = guest.serialLog(for: name)
        try? FileManager.default.removeItem(atPath: log.path)
        let clock = ContinuousClock()
        let started = clock.now
        _ = try await hypervisor.define(shadowSpec(name))
        try await hypervisor.start(name)
        guard let ready = log.waitForLine(after: 0, timeout: bootTimeout, where: { $0.contains("PSM-READY") }) else {
            throw silent("PSM-READY", name)
        }
        return ready.seen - started
    }

    /// Parks a booted shadow: waits until the guest's balloon has inflated to the baseline (its
    /// MemTotal at or below it: right after boot the guest still has its maximum, and a shadow
    /// paused then would hold that much host memory), then suspends it. Returns the last heartbeat.
    @discardableResult
    // Not inlined: inlined into an async caller in the same module (ActivationBenchmark), this
    // function crashed the Swift 6.3.1 optimizer (coroutine splitting) in release builds.
    @inline(never)
    public func park(_ name: String) async throws -> Heartbeat {
        let beat = try waitForHeartbeat(name) { $0.memoryKiB <= Self.baseline.memoryKiB }
        try await hypervisor.suspend(name)
        return beat
    }

    /// The steps of one activation and the guest's first heartbeat after it.
    public struct Activation: Sendable {
        /// Per call: `setVCPUs`, `setMemory`, `resume` (or `restore`, `resume`).
        public var calls: [(String, Duration)]
        /// From the first call until the guest's next heartbeat was seen.
        package var untilHeartbeat: Duration
        public var heartbeat: Heartbeat
        /// What `restore` reported (nil for a paused activation).
        package var restoredState: DomainState?
    }

    /// Activates a paused shadow: live vCPUs and memory up to `size`, resume; timed until the
    /// guest's next heartbeat.
    package func activatePaused(_ name: String, to size: ResourceSize = activated) async throws -> Activation {
        let log = guest.serialLog(for: name)
        let clock = ContinuousClock()
        let mark = log.offset()
        let t0 = clock.now
        try await hypervisor.setVCPUs(name, to: size.vcpus)
        let t1 = clock.now
        try await hypervisor.setMemory(name, toKiB: size.memoryKiB)
        let t2 = clock.now
        try await hypervisor.resume(name)
        let t3 = clock.now
        let beat = try nextHeartbeat(name, after: mark)
        return Activation(calls: [("setVCPUs", t1 - t0), ("setMemory", t2 - t1), ("resume", t3 - t2)],
                          untilHeartbeat: beat.seen - t0, heartbeat: beat.heartbeat, restoredState: nil)
    }

    /// Activates a saved shadow: restore (QEMU brings a shadow saved while paused back paused),
    /// then resume if it came back paused; timed until the guest's next heartbeat.
    package func activateSaved(_ name: String) async throws -> Activation {
        let log = guest.serialLog(for: name)
        let clock = ContinuousClock()
        let mark = log.offset()
        let t0 = clock.now
        let state = try await hypervisor.restore(name)
        let t1 = clock.now
        var calls: [(String, Duration)] = [("restore", t1 - t0)]
        if state == .paused {
            try await hypervisor.resume(name)
            calls.append(("resume", clock.now - t1))
        }
        let beat = try nextHeartbeat(name, after: mark)
        return Activation(calls: calls, untilHeartbeat: beat.seen - t0, heartbeat: beat.heartbeat, restoredState: state)
    }

    /// Waits for a heartbeat that satisfies `condition` (e.g. the guest shows its new size).
    package func waitForHeartbeat(_ name: String, timeout: Duration? = nil,
                                 where condition: @escaping (Heartbeat) -> Bool) throws -> Heartbeat {
        let log = guest.serialLog(for: name)
        // Look back a little: the heartbeat may already be there.
        let mark = log.offset()
        let from = mark > 4096 ? mark - 4096 : 0
        guard let found = log.waitForLine(after: from, timeout: timeout ?? heartbeatTimeout, where: { line in
            Heartbeat(line).map(condition) ?? false
        }), let beat = Heartbeat(found.line) else { throw silent("matching heartbeat", name) }
        return beat
    }

    /// Removes `name` whatever its state (destroy, then undefine with its save image); errors are
    /// ignored: this is cleanup.
    public func remove(_ name: String) async {
        try? await hypervisor.destroy(name)
        try? await hypervisor.undefine(name, removingManagedSave: true)
        try? FileManager.default.removeItem(atPath: guest.serialLog(for: name).path)
    }

    private func nextHeartbeat(_ name: String, after mark: UInt64) throws -> (heartbeat: Heartbeat, seen: ContinuousClock.Instant) {
        guard let found = guest.serialLog(for: name).waitForLine(after: mark, timeout: heartbeatTimeout,
                                                                   where: { Heartbeat($0) != nil }),
              let beat = Heartbeat(found.line) else { throw silent("heartbeat", name) }
        return (beat, found.seen)
    }

    private func silent(_ awaited: String, _ name: String) -> GuestSilent {
        let lines = guest.serialLog(for: name).lines(after: 0).suffix(15)
        return GuestSilent(awaited: awaited, domain: name, tail: lines.joined(separator: "\n"))
    }
}
