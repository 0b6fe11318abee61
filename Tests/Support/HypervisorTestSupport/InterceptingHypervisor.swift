import Hypervisor
import Synchronization

/// One hypervisor call as an `InterceptingHypervisor` sees it.
public struct HypervisorCall: Sendable {
    /// The protocol method's name (`setVCPUs`, `resume`, …).
    public var method: String
    /// The domain it was about (empty for `list` and `stats`).
    public var domain: String
    /// When the wrapped call started.
    public var start: ContinuousClock.Instant
    /// How long the wrapped call took (zero in `before`).
    package var duration: Duration
    /// Whether it threw.
    public var failed: Bool
}

/// Forwards every call to another hypervisor and lets hooks see, delay, fail or answer it: the one
/// interception point for timing (`psm bench activation` separates psm's own time from libvirt's,
/// the cycle bench sums libvirt's), fault injection (transient errors the retries must absorb, a
/// host that stops answering), kill points (a hook that never returns stops the caller exactly
/// there, as SIGKILL would) and synthetic counters for drivers that report none.
///
/// Hooks run on the calling task; they must be quick unless they mean to stop or slow the caller.
public struct InterceptingHypervisor: Hypervisor {
    /// Runs before each call: may record it, wait (a slow or frozen host) or throw (an injected
    /// failure, which the call then reports without reaching `inner`).
    public typealias Before = @Sendable (HypervisorCall) async throws(HypervisorError) -> Void
    /// Runs after each call that reached `inner`, with its duration and whether it threw.
    public typealias After = @Sendable (HypervisorCall) -> Void
    /// Answers `stats()` in place of the plain forward (it may call `inner` and rewrite the answer).
    public typealias Stats = @Sendable (_ inner: any Hypervisor) async throws(HypervisorError) -> [DomainStats]

    public let inner: any Hypervisor
    let before: Before
    let after: After
    let statsAnswer: Stats?

    public init(_ inner: any Hypervisor, before: @escaping Before = { _ in }, after: @escaping After = { _ in },
                stats: Stats? = nil) {
        self.inner = inner
        self.before = before
        self.after = after
        self.statsAnswer = stats
    }

    private func intercept<T>(_ method: String, _ domain: String,
                              _ body: () async throws(HypervisorError) -> T) async throws(HypervisorError) -> T {
        let clock = ContinuousClock()
        try await before(HypervisorCall(method: method, domain: domain, start: clock.now, duration: .zero, failed: false))
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
        try await intercept("define", spec.name) { () async throws(HypervisorError) in try await inner.define(spec) }
    }
    public func start(_ name: String) async throws(HypervisorError) {
        try await intercept("start", name) { () async throws(HypervisorError) in try await inner.start(name) }
    }
    public func suspend(_ name: String) async throws(HypervisorError) {
        try await intercept("suspend", name) { () async throws(HypervisorError) in try await inner.suspend(name) }
    }
    public func resume(_ name: String) async throws(HypervisorError) {
        try await intercept("resume", name) { () async throws(HypervisorError) in try await inner.resume(name) }
    }
    public func managedSave(_ name: String) async throws(HypervisorError) {
        try await intercept("managedSave", name) { () async throws(HypervisorError) in try await inner.managedSave(name) }
    }
    public func restore(_ name: String) async throws(HypervisorError) -> DomainState {
        try await intercept("restore", name) { () async throws(HypervisorError) in try await inner.restore(name) }
    }
    public func setVCPUs(_ name: String, to count: Int) async throws(HypervisorError) {
        try await intercept("setVCPUs", name) { () async throws(HypervisorError) in try await inner.setVCPUs(name, to: count) }
    }
    public func setMemory(_ name: String, toKiB kib: UInt64) async throws(HypervisorError) {
        try await intercept("setMemory", name) { () async throws(HypervisorError) in try await inner.setMemory(name, toKiB: kib) }
    }
    public func destroy(_ name: String) async throws(HypervisorError) {
        try await intercept("destroy", name) { () async throws(HypervisorError) in try await inner.destroy(name) }
    }
    public func undefine(_ name: String, removingManagedSave: Bool) async throws(HypervisorError) {
        try await intercept("undefine", name) { () async throws(HypervisorError) in
            try await inner.undefine(name, removingManagedSave: removingManagedSave)
        }
    }
    public func setMetadata(_ metadata: ShadowMetadata?, of name: String) async throws(HypervisorError) {
        try await intercept("setMetadata", name) { () async throws(HypervisorError) in try await inner.setMetadata(metadata, of: name) }
    }
    public func info(_ name: String) async throws(HypervisorError) -> DomainInfo {
        try await intercept("info", name) { () async throws(HypervisorError) in try await inner.info(name) }
    }
    public func list() async throws(HypervisorError) -> [DomainInfo] {
        try await intercept("list", "") { () async throws(HypervisorError) in try await inner.list() }
    }
    public func allocations() async throws(HypervisorError) -> [DomainAllocation] {
        try await intercept("allocations", "") { () async throws(HypervisorError) in try await inner.allocations() }
    }
    public func memberTag(of name: String) async throws(HypervisorError) -> String? {
        try await intercept("memberTag", name) { () async throws(HypervisorError) in try await inner.memberTag(of: name) }
    }
    public func stats() async throws(HypervisorError) -> [DomainStats] {
        try await intercept("stats", "") { () async throws(HypervisorError) in
            if let statsAnswer { return try await statsAnswer(inner) }
            return try await inner.stats()
        }
    }
    public func interfaceAddresses(_ name: String) async throws(HypervisorError) -> [String] {
        try await intercept("interfaceAddresses", name) { () async throws(HypervisorError) in try await inner.interfaceAddresses(name) }
    }
    public func nodeInfo() async throws(HypervisorError) -> NodeInfo {
        try await intercept("nodeInfo", "") { () async throws(HypervisorError) in try await inner.nodeInfo() }
    }
}

/// Collects the calls an `InterceptingHypervisor` saw (thread-safe), e.g. to sum libvirt's time.
public final class CallLog: Sendable {
    private let calls = Mutex<[HypervisorCall]>([])

    public init() {}

    public func record(_ call: HypervisorCall) { calls.withLock { $0.append(call) } }

    /// Every call so far, and empties the log.
    public func drain() -> [HypervisorCall] { calls.withLock { c in defer { c = [] }; return c } }

    /// Seconds spent in the calls so far and how many there were (the log is kept).
    public var total: (seconds: Double, calls: Int) {
        calls.withLock { c in
            (c.reduce(0) { s, call in
                s + Double(call.duration.components.seconds) + Double(call.duration.components.attoseconds) * 1e-18
            }, c.count)
        }
    }
}
