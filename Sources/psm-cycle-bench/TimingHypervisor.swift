import Hypervisor
import Synchronization

/// Forwards every call to a real hypervisor and adds up the time spent inside it, so that what
/// psm adds around the calls is the total minus this sum.
final class TimingHypervisor: Hypervisor {
    let inner: any Hypervisor
    private let spent = Mutex<(seconds: Double, calls: Int)>((0, 0))

    init(_ inner: any Hypervisor) { self.inner = inner }

    /// Seconds spent in the inner hypervisor and calls made since the last reset.
    var total: (seconds: Double, calls: Int) { spent.withLock { $0 } }
    func reset() { spent.withLock { $0 = (0, 0) } }

    private func timed<T>(_ body: () async throws(HypervisorError) -> T) async throws(HypervisorError) -> T {
        let started = ContinuousClock.now
        defer {
            let d = ContinuousClock.now - started
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            spent.withLock { $0.seconds += s; $0.calls += 1 }
        }
        return try await body()
    }

    func define(_ spec: DomainSpec) async throws(HypervisorError) -> DomainInfo { try await timed { () async throws(HypervisorError) in try await inner.define(spec) } }
    func start(_ name: String) async throws(HypervisorError) { try await timed { () async throws(HypervisorError) in try await inner.start(name) } }
    func suspend(_ name: String) async throws(HypervisorError) { try await timed { () async throws(HypervisorError) in try await inner.suspend(name) } }
    func resume(_ name: String) async throws(HypervisorError) { try await timed { () async throws(HypervisorError) in try await inner.resume(name) } }
    func managedSave(_ name: String) async throws(HypervisorError) { try await timed { () async throws(HypervisorError) in try await inner.managedSave(name) } }
    func restore(_ name: String) async throws(HypervisorError) -> DomainState { try await timed { () async throws(HypervisorError) in try await inner.restore(name) } }
    func setVCPUs(_ name: String, to count: Int) async throws(HypervisorError) {
        try await timed { () async throws(HypervisorError) in try await inner.setVCPUs(name, to: count) }
    }
    func setMemory(_ name: String, toKiB kib: UInt64) async throws(HypervisorError) {
        try await timed { () async throws(HypervisorError) in try await inner.setMemory(name, toKiB: kib) }
    }
    func destroy(_ name: String) async throws(HypervisorError) { try await timed { () async throws(HypervisorError) in try await inner.destroy(name) } }
    func undefine(_ name: String, removingManagedSave: Bool) async throws(HypervisorError) {
        try await timed { () async throws(HypervisorError) in try await inner.undefine(name, removingManagedSave: removingManagedSave) }
    }
    func setMetadata(_ metadata: ShadowMetadata?, of name: String) async throws(HypervisorError) {
        try await timed { () async throws(HypervisorError) in try await inner.setMetadata(metadata, of: name) }
    }
    func info(_ name: String) async throws(HypervisorError) -> DomainInfo { try await timed { () async throws(HypervisorError) in try await inner.info(name) } }
    func list() async throws(HypervisorError) -> [DomainInfo] { try await timed { () async throws(HypervisorError) in try await inner.list() } }
    func stats() async throws(HypervisorError) -> [DomainStats] { try await timed { () async throws(HypervisorError) in try await inner.stats() } }
    func interfaceAddresses(_ name: String) async throws(HypervisorError) -> [String] {
        try await timed { () async throws(HypervisorError) in try await inner.interfaceAddresses(name) }
    }
    func nodeInfo() async throws(HypervisorError) -> NodeInfo {
        try await timed { () async throws(HypervisorError) in try await inner.nodeInfo() }
    }
    func memberTag(of name: String) async throws(HypervisorError) -> String? {
        try await timed { () async throws(HypervisorError) in try await inner.memberTag(of: name) }
    }
}
