import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An executable built next to this test bundle by `swift build --build-tests`.
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
    throw Missing(name: name)
}

struct Missing: Error, CustomStringConvertible {
    let name: String
    var description: String { "\(name) is not built next to the test bundle (swift build --build-tests builds it)" }
}

/// A scratch directory with a psm.toml for psm-actuator on libvirt's test driver (a node file of its own).
struct ActuatorScratch {
    let path: String

    init(interval: Int = 1, extra: String = "") throws {
        path = NSTemporaryDirectory() + "psm-process-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/Models", withIntermediateDirectories: true)
        // A test-driver host of its own, 64 CPUs and 64 GiB: capacity is measured from the host,
        // and test:///default (16 CPUs, 3 GiB, 2 GiB of it taken by its domain `test`) holds no
        // 2 GiB shadow.
        try SchedulerQueryTests.node(cpus: 64, memoryMiB: 65_536).write(toFile: path + "/node.xml", atomically: true, encoding: .utf8)
        try """
        [actuator]
        store = "store.sqlite"
        registry = "Models"
        interval = \(interval)
        hypervisor = "test://\(path)/node.xml"
        \(extra)

        [[actuator.groups]]
        name = "web"
        unit = 1
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    var config: String { path + "/psm.toml" }
    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }

    /// A replay trace of `steps` five-minute intervals of constant demand for `web`.
    func trace(steps: Int = 3) throws -> String {
        let file = path + "/trace.csv"
        let rows = (0..<steps).map { "web,\(1_764_400_000 + $0 * 300),1.0" }
        try (["series_id,timestamp,value"] + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// A finished (or killed) child process: its status and what it printed.
struct Outcome {
    var status: Int32
    var signalled: Bool
    var output: String
    var errors: String
    var seconds: Double
    /// The child's signal masks when it had to be killed (/proc/PID/status), for the failure message.
    var signalState = ""
}

/// Runs `executable` with `arguments` (and `environment` added), sending one SIGTERM after
/// `terminateAfter` seconds (once stderr contains `whenStderrContains` and file `whenFileExists`
/// exists, if given) and SIGKILL at
/// `timeout`; returns when it has ended.
///
/// The child is watched from a thread of its own, not from a task: under the parallel suite the
/// cooperative pool can be busy for many seconds, and a watcher there sent its SIGTERM too late or
/// never (a replay finished first; a service was SIGKILLed at the timeout without a SIGTERM).
func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                terminateAfter: Double? = nil, whenStderrContains: String? = nil, whenFileExists: String? = nil,
                timeout: Double = 30) async throws -> Outcome {
    await try launchProcess(executable, arguments, environment: environment, terminateAfter: terminateAfter,
                            whenStderrContains: whenStderrContains, whenFileExists: whenFileExists, timeout: timeout).finished()
}

/// `runProcess` in two halves: the child is started before this returns (not in a task the loaded
/// cooperative pool may start minutes later: a test then polled a service that did not exist yet),
/// and `finished()` waits for it.
func launchProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                   terminateAfter: Double? = nil, whenStderrContains: String? = nil, whenFileExists: String? = nil,
                   timeout: Double = 30) throws -> Child {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let dir = NSTemporaryDirectory() + "psm-child-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: dir + "/out", contents: nil)
    FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/err"))
    process.standardInput = FileHandle.nullDevice
    let started = Date()
    do { try process.run() } catch {
        try? FileManager.default.removeItem(atPath: dir)
        throw error
    }
    let child = Child(dir: dir)
    let watched = UncheckedProcess(process: process)
    let watcher = Thread {
        let process = watched.process
        var terminated = false
        var signalState = ""
        while process.isRunning {
            let elapsed = Date().timeIntervalSince(started)
            if elapsed > timeout {
                signalState = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8))?
                    .split(separator: "\n").filter { $0.hasPrefix("Sig") || $0.hasPrefix("ShdPnd") }.joined(separator: " ") ?? ""
                kill(process.processIdentifier, SIGKILL)
                break
            }
            if let terminateAfter, elapsed > terminateAfter, !terminated {
                let ready = whenStderrContains.map { child.errors.contains($0) } ?? true
                let exists = whenFileExists.map { FileManager.default.fileExists(atPath: $0) } ?? true
                if (ready && exists) || elapsed > timeout / 2 {
                    kill(process.processIdentifier, SIGTERM)
                    terminated = true
                }
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        child.finish(Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                             output: (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "",
                             errors: child.errors, seconds: Date().timeIntervalSince(started), signalState: signalState))
    }
    watcher.start()
    return child
}

/// A child process `launchProcess` started and a thread watches.
final class Child: @unchecked Sendable {
    private let dir: String
    private let lock = NSLock()
    private var outcome: Outcome?
    private var waiting: [CheckedContinuation<Outcome, Never>] = []

    init(dir: String) { self.dir = dir }

    /// What the child has written to stderr so far (all of it once it has finished).
    var errors: String {
        if let done = lock.withLock({ outcome }) { return done.errors }
        return (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
    }

    /// Waits until the child has ended (or was killed at its timeout).
    func finished() async -> Outcome {
        await withCheckedContinuation { continuation in
            let done: Outcome? = lock.withLock {
                if outcome == nil { waiting.append(continuation) }
                return outcome
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    fileprivate func finish(_ result: Outcome) {
        let resumed = lock.withLock { () -> [CheckedContinuation<Outcome, Never>] in
            outcome = result
            defer { waiting = [] }
            return waiting
        }
        try? FileManager.default.removeItem(atPath: dir)
        for continuation in resumed { continuation.resume(returning: result) }
    }

    /// The port a service started with `--listen HOST:0` bound, from its log line ("… listening on
    /// HOST:PORT", logged at info): polled for up to `seconds`; nil if it never said.
    func listeningPort(within seconds: Double) async -> Int? {
        let deadline = Date().addingTimeInterval(seconds)
        // Looked for once more after every wait, the last included: a test task the loaded
        // cooperative pool resumes after its deadline still sees a line that came in time.
        while true {
            for line in errors.split(separator: "\n") {
                guard let range = line.range(of: "listening on ") else { continue }
                let address = line[range.upperBound...].prefix { !$0.isWhitespace }
                if let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) { return port }
            }
            if Date() >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// `Process` handed to the watcher thread (it is used from that thread only until it has ended).
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}

/// A TCP socket listening on 127.0.0.1 at an ephemeral port, holding it taken until closed.
final class TakenPort {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw Missing(name: "a free loopback port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
