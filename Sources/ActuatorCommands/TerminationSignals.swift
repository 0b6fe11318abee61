import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, taken by psm-actuator's main thread with `sigwait`.
///
/// An asynchronous `main` ends in libdispatch's `dispatch_main()`, which on Linux parks the main
/// thread in `sigsuspend` with an **empty** mask: whatever the program blocked, the main thread
/// then takes every process signal. With swift-service-lifecycle's signal sources (libdispatch's
/// handler forwards the signal to its manager thread's signalfd) that delivery was racy — a
/// SIGTERM ignored for good on a loaded machine, or a kill by SIGTERM before the handler was in
/// place — and any program-wide blocking was undone by it.
///
/// So psm-actuator's `main` is synchronous: it blocks the signals first (on the main thread,
/// before any other thread exists, so every thread inherits the mask and none can take them), runs
/// the command in a task, and spends its life in `waitForSignals()`: a blocked signal stays
/// pending until this thread reads it, whatever the timing. The first one runs the handler the
/// running mode registered (the service group's graceful shutdown); without one (replay, explain),
/// or on a second signal, the process exits as the default action would (status 128 + signal).
/// A SIGINT the process inherited as ignored (a shell's background job) stays ignored.
package enum TerminationSignals {
    nonisolated(unsafe) private static var handler: (@Sendable (Int32) -> Void)?
    private static let lock = NSLock()

    /// Blocks SIGTERM (and SIGINT unless it is ignored) in the calling thread and returns the set.
    /// Call it first in a synchronous `main`, before any thread starts.
    package static func block() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        signal(SIGTERM, SIG_DFL)
        var previous = sigaction()
        sigaction(SIGINT, nil, &previous)
        // SIG_IGN is the handler value 1 (glibc's signal.h).
        if unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self) != 1 { sigaddset(&set, SIGINT) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return set
    }

    /// Takes the signals in `set` for ever (the main thread's life after it started the command).
    package static func waitForSignals(_ set: sigset_t) -> Never {
        var set = set
        var received: Int32 = 0
        var handled = false
        while true {
            guard sigwait(&set, &received) == 0 else { continue }
            let current = lock.withLock { handler }
            if let current, !handled {
                handled = true
                current(received)
            } else {
                FileHandle.standardError.write(Data("psm-actuator: stopped by signal \(received)\n".utf8))
                exit(128 + received)
            }
        }
    }

    /// Runs `body` with `onSignal` as the handler of the first SIGTERM/SIGINT (a second one exits).
    package static func handling<T>(_ onSignal: @escaping @Sendable (Int32) -> Void,
                                   _ body: () async throws -> T) async rethrows -> T {
        lock.withLock { handler = onSignal }
        defer { lock.withLock { handler = nil } }
        return try await body()
    }
}
