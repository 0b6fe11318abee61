import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, made reliable. swift-service-lifecycle (through libdispatch) reads them
/// from a signalfd and sets their disposition to "ignore"; a signalfd only sees a signal that every
/// thread blocks, and any thread that does not (NIO's event loops, libvirt's, created with the
/// main thread's mask) may take it and drop it — seen as a SIGTERM ignored for good on a loaded
/// machine. So `psm-actuator` blocks both in its main thread before any other thread exists, and
/// every thread inherits that; the service group's signalfd then always gets them.
public enum TerminationSignals {
    static let signals = [SIGTERM, SIGINT]

    /// Call first thing in `main`, before any thread is started.
    public static func blockInEveryThread() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// For the modes without a service group (replay, explain): a blocked signal would otherwise
    /// stay pending forever, so read it from a signal source and exit as the default action would.
    static func exitOnSignal() {
        for s in signals {
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\npsm-actuator: stopped by signal \(s)\n".utf8))
                exit(128 + s)
            }
            source.resume()
            sources.append(source)
        }
    }

    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}
