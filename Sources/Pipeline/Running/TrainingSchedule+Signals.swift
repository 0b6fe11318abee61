import Dispatch
import Logging
import ServiceLifecycle
import UnixSignals

extension TrainingSchedule {
    /// `psm train --every`: the schedule in a `ServiceGroup` that SIGTERM and SIGINT shut down
    /// gracefully, run from a synchronous caller, whose thread waits until the group has stopped.
    package func runUntilSignalled() throws {
        var logger = Logger(label: "psm.train")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: self)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try Self.wait { try await group.run() }
    }

    /// Runs `body` on the concurrency pool and blocks this (synchronous command's) thread until it
    /// ends: the schedule is an asynchronous service, the command and its callers are synchronous.
    static func wait(_ body: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do { try await body() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }
}
