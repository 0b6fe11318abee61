import Foundation
import RealVMSupport
import Synchronization

/// An executable SwiftPM builds next to the test bundle (`psm-actuator`, `psm-realvm-actuator`).
func builtExecutable(_ name: String) throws -> URL {
    let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])]
        .compactMap { $0?.deletingLastPathComponent() }
        + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    for dir in candidates {
        for sub in ["", "..", "../.."] {
            let url = dir.appendingPathComponent(sub).appendingPathComponent(name).standardizedFileURL
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
    }
    throw RealVM.Missing(what: "\(name) next to the test bundle (swift build --build-tests builds it)")
}

/// A child process whose stdout and stderr go to files (read while it runs, with `SerialLog`).
final class ChildProcess {
    let process = Process()
    let output: SerialLog
    let errors: String

    init(_ executable: URL, _ arguments: [String], logs prefix: String) throws {
        output = SerialLog(path: prefix + ".out")
        errors = prefix + ".err"
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for a line of its output that starts with `prefix` (nil after `timeout` or when it exited first).
    func waitForLine(startingWith prefix: String, timeout: Duration) -> Substring? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let line = output.lines(after: 0).first(where: { $0.hasPrefix(prefix) }) { return line }
            if !process.isRunning {
                return output.lines(after: 0).first(where: { $0.hasPrefix(prefix) })
            }
            usleep(5_000)
        }
        return nil
    }

    /// Waits for it to exit by itself; false (and SIGKILLs it) after `timeout`.
    func waitForExit(timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while process.isRunning && clock.now < deadline { usleep(10_000) }
        if process.isRunning {
            kill()
            return false
        }
        return true
    }

    /// SIGKILL, then reaps it.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// What it wrote to stdout and stderr (for failure messages).
    var transcript: String {
        let err = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        return "stdout:\n" + output.lines(after: 0).joined(separator: "\n") + "\nstderr:\n" + err
    }
}

/// Watches a guest's serial log from a thread of its own (5 ms polls) and counts how often its
/// output *starts* again after at least `silence` without any: each such start is the guest
/// being resumed (a paused guest prints nothing; a running one a heartbeat every ~10–20 ms).
final class OutputStarts: @unchecked Sendable {
    private let log: SerialLog
    private let silence: Duration
    private let stopped = Atomic<Bool>(false)
    private let starts = Mutex<[ContinuousClock.Instant]>([])
    private var thread: Thread?

    /// Starts watching; the guest is expected to be silent (paused) now.
    init(_ log: SerialLog, silence: Duration) {
        self.log = log
        self.silence = silence
        let thread = Thread { [self] in watch() }
        self.thread = thread
        thread.start()
    }

    private func watch() {
        let clock = ContinuousClock()
        var size = log.offset()
        var lastGrowth: ContinuousClock.Instant?
        while !stopped.load(ordering: .acquiring) {
            let now = log.offset()
            if now != size {
                let t = clock.now
                // The first output after the watch began is a start (the guest was paused), and so
                // is any output after a silence long enough to be a pause.
                if lastGrowth.map({ t - $0 >= silence }) ?? true {
                    starts.withLock { $0.append(t) }
                }
                lastGrowth = t
                size = now
            }
            usleep(5_000)
        }
    }

    /// Stops watching; the starts seen.
    func stop() -> [ContinuousClock.Instant] {
        stopped.store(true, ordering: .releasing)
        while thread?.isFinished == false { usleep(1_000) }
        return starts.withLock { $0 }
    }
}

/// libvirt's own record of a domain's lifecycle events (`virsh event --event lifecycle --loop`),
/// e.g. `event 'lifecycle' for domain 'X': Resumed Unpaused`.
final class LifecycleEvents {
    private let child: ChildProcess

    init(domain: String, logs prefix: String) throws {
        child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/virsh"),
                                 ["-c", RealVMGuest.uri, "event", "--domain", domain, "--event", "lifecycle", "--loop"],
                                 logs: prefix)
        // virsh registers its callback right after connecting; give it that moment.
        usleep(500_000)
    }

    /// Stops virsh (SIGINT: it ends its loop and flushes what it printed); the event lines.
    func stop() -> [String] {
        if child.process.isRunning { kill(child.process.processIdentifier, SIGINT) }
        _ = child.waitForExit(timeout: .seconds(5))
        return child.output.lines(after: 0).filter { $0.contains("lifecycle") }.map(String.init)
    }
}
