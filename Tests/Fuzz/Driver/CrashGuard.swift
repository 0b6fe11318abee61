#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Saves the input being run when the process dies of a signal: a Swift trap (SIGILL/SIGTRAP on
/// overflow, a failed conversion, a force unwrap, an index out of range), an abort, a segfault
/// (stack overflow included: the handler runs on its own stack) or the per-input alarm (a hang).
///
/// Before each execution the input is copied into a buffer allocated once; the handler only
/// calls async-signal-safe functions (open, write, close, signal, raise) to write it to
/// `crashFile`, then re-raises the signal with its default action, so the exit status still says
/// what happened (128 + signal number in a shell).
enum CrashGuard {
    nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    nonisolated(unsafe) static var capacity = 1
    nonisolated(unsafe) static var count = 0
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var message: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var armed = false

    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGALRM]

    /// Installs the handlers; the input is written to `crashFile` if the process dies.
    static func install(crashFile: String) {
        path = strdup(crashFile)
        message = strdup("psm-fuzz: died of a signal while running an input; it is saved in \(crashFile)\n")
        // An alternate stack, so that a stack overflow still reaches the handler.
        let size = 256 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashHandler
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
        armed = true
    }

    /// Records `input` as the one running now.
    @inline(__always)
    static func set(_ input: [UInt8]) {
        guard armed else { return }
        if input.count > capacity {
            buffer.deallocate()
            capacity = max(input.count, capacity * 2)
            buffer = .allocate(capacity: capacity)
        }
        count = input.count
        input.withUnsafeBufferPointer { if let base = $0.baseAddress { buffer.update(from: base, count: $0.count) } }
    }
}

private func crashHandler(_ sig: Int32) {
    if let path = CrashGuard.path {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 {
            var written = 0
            while written < CrashGuard.count {
                let n = write(fd, CrashGuard.buffer + written, CrashGuard.count - written)
                if n <= 0 { break }
                written += n
            }
            close(fd)
        }
    }
    if let message = CrashGuard.message { _ = write(2, message, strlen(message)) }
    signal(sig, SIG_DFL)
    raise(sig)
}
