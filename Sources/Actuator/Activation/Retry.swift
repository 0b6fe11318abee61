import Hypervisor

/// Retries transient failures with exponential backoff: libvirt connection losses and failed
/// operations (a busy daemon), and routing/monitoring calls. Refusals that carry information
/// (not found, not paused, over maximum…) are never retried.
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Attempts in all (1 = no retry).
    package var attempts: Int
    /// The first wait, doubled after each failure, in milliseconds.
    package var initialDelayMs: Int

    public init(attempts: Int = 3, initialDelayMs: Int = 50) {
        self.attempts = max(1, attempts)
        self.initialDelayMs = max(0, initialDelayMs)
    }

    /// No waiting and no retry (tests of the failure paths, dry runs).
    public static let none = RetryPolicy(attempts: 1, initialDelayMs: 0)

    /// Runs `body`, retrying while `isTransient` says the error may heal.
    public func run<T: Sendable, E: Error>(isTransient: (E) -> Bool,
                                           _ body: () async throws(E) -> T) async throws(E) -> T {
        var delay = initialDelayMs
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                guard attempt < attempts, isTransient(error) else { throw error }
                attempt += 1
                if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
                delay *= 2
            }
        }
    }

    /// A hypervisor call, retried on connection loss and operation failures.
    public func hypervisor<T: Sendable>(_ body: () async throws(HypervisorError) -> T) async throws(HypervisorError) -> T {
        try await run(isTransient: { (e: HypervisorError) in
            e.code == .connectionLost || e.code == .connectionFailed || e.code == .operationFailed
        }, body)
    }

    /// A routing or monitoring call, always retried.
    package func routing(_ body: () async throws(RoutingError) -> Void) async throws(RoutingError) {
        try await run(isTransient: { (_: RoutingError) in true }, body)
    }
}
