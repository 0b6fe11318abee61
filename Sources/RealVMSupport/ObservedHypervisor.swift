import Foundation
import Hypervisor
import Synchronization

/// One hypervisor call as seen by `ObservedHypervisor`.
public struct HypervisorCall: Sendable {
    /// The protocol method's name (`setVCPUs`, `resume`, …).
    public var method: String
    /// The domain it was about (empty for `list` and `stats`).
    public var domain: String
    /// When the wrapped call started.
    public var start: ContinuousClock.Instant
    /// How long the wrapped call took (zero in `before`).
    public var duration: Duration
    /// Whether it threw.
    public var failed: Bool
}

/// Forwards every call to a real hypervisor and tells an observer before and after each one:
/// how `psm bench activation` separates psm's own time from libvirt's, and how the real-VM
/// restart test stops an actuator process at an exact point of an activation (its observer
/// blocks, and the test SIGKILLs the process there). The observer runs on the calling task and
/// must be quick, unless it means to stop the caller.
public struct ObservedHypervisor: Hypervisor {
    public let inner: any Hypervisor
    let before: @Sendable (HypervisorCall) -> Void
    let after: @Sendable (HypervisorCall) -> Void

    public init(_ inner: any Hypervisor, before: @escaping @Sendable (HypervisorCall) -> Void = { _ in },
                after: @escaping @Sendable (HypervisorCall) -> Void) {
        self.inner = inner
        self.before = before
        self.after = after
    }

    private func observe<T>(_ method: String, _ domain: String,
                            _ body: () async throws(HypervisorError) -> T) async throws(HypervisorError) -> T {
        let clock = ContinuousClock()
        before(HypervisorCall(method: method, domain: domain, start: clock.now, duration: .zero, failed: false))
        let start = clock.now
        do {
            let value = try await body()
            after(HypervisorCall(method: method, domain: domain, start: start, duration: clock.now - start, failed: false))
            return value
        } catch {
            after(HypervisorCall(method: method, domain: domain, start: start, duration: clock.now - start, failed: true))
            throw error
        }
    }

    public func define(_ spec: DomainSpec) async throws(HypervisorError) -> DomainInfo {
        try await observe("define", spec.name) { () async throws(HypervisorError) in try await inner.define(spec) }
    }
    public func start(_ name: String) async throws(HypervisorError) {
        try await observe("start", name) { () async throws(HypervisorError) in try await inner.start(name) }
    }
    public func suspend(_ name: String) async throws(HypervisorError) {
        try await observe("suspend", name) { () async throws(HypervisorError) in try await inner.suspend(name) }
    }
    public func resume(_ name: String) async throws(HypervisorError) {
        try await observe("resume", name) { () async throws(HypervisorError) in try await inner.resume(name) }
    }
    public func managedSave(_ name: String) async throws(HypervisorError) {
        try await observe("managedSave", name) { () async throws(HypervisorError) in try await inner.managedSave(name) }
    }
    public func restore(_ name: String) async throws(HypervisorError) -> DomainState {
        try await observe("restore", name) { () async throws(HypervisorError) in try await inner.restore(name) }
    }
    public func setVCPUs(_ name: String, to count: Int) async throws(HypervisorError) {
        try await observe("setVCPUs", name) { () async throws(HypervisorError) in try await inner.setVCPUs(name, to: count) }
    }
    public func setMemory(_ name: String, toKiB kib: UInt64) async throws(HypervisorError) {
        try await observe("setMemory", name) { () async throws(HypervisorError) in try await inner.setMemory(name, toKiB: kib) }
    }
    public func destroy(_ name: String) async throws(HypervisorError) {
        try await observe("destroy", name) { () async throws(HypervisorError) in try await inner.destroy(name) }
    }
    public func undefine(_ name: String, removingManagedSave: Bool) async throws(HypervisorError) {
        try await observe("undefine", name) { () async throws(HypervisorError) in
            try await inner.undefine(name, removingManagedSave: removingManagedSave)
        }
    }
    public func setMetadata(_ metadata: ShadowMetadata?, of name: String) async throws(HypervisorError) {
        try await observe("setMetadata", name) { () async throws(HypervisorError) in try await inner.setMetadata(metadata, of: name) }
    }
    public func info(_ name: String) async throws(HypervisorError) -> DomainInfo {
        try await observe("info", name) { () async throws(HypervisorError) in try await inner.info(name) }
    }
    public func list() async throws(HypervisorError) -> [DomainInfo] {
        try await observe("list", "") { () async throws(HypervisorError) in try await inner.list() }
    }
    public func memberTag(of name: String) async throws(HypervisorError) -> String? {
        try await observe("memberTag", name) { () async throws(HypervisorError) in try await inner.memberTag(of: name) }
    }
    public func stats() async throws(HypervisorError) -> [DomainStats] {
        try await observe("stats", "") { () async throws(HypervisorError) in try await inner.stats() }
    }
    public func interfaceAddresses(_ name: String) async throws(HypervisorError) -> [String] {
        try await observe("interfaceAddresses", name) { () async throws(HypervisorError) in try await inner.interfaceAddresses(name) }
    }
    public func nodeInfo() async throws(HypervisorError) -> NodeInfo {
        try await observe("nodeInfo", "") { () async throws(HypervisorError) in try await inner.nodeInfo() }
    }
}

/// Collects the calls an `ObservedHypervisor` saw (thread-safe), e.g. to sum libvirt's time.
public final class CallLog: Sendable {
    private let calls = Mutex<[HypervisorCall]>([])

    public init() {}

    public func record(_ call: HypervisorCall) { calls.withLock { $0.append(call) } }

    /// Every call so far, and empties the log.
    public func drain() -> [HypervisorCall] { calls.withLock { c in defer { c = [] }; return c } }
}
