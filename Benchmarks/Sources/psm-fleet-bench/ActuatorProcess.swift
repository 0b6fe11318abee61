import Foundation

/// One `psm-actuator run` process of the fleet: its id, pid, log file and API port.
final class ActuatorProcess: @unchecked Sendable {
    let id: String
    let process: Process
    let log: String
    private(set) var port: Int?

    /// Starts `psm-actuator run --config CONFIG --listen 127.0.0.1:0`, its standard error into `log`.
    init(id: String, executable: String, config: String, log: String, token: String) throws {
        self.id = id
        self.log = log
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["run", "--config", config, "--listen", "127.0.0.1:0"]
        var environment = ProcessInfo.processInfo.environment
        environment["PSM_API_TOKEN"] = token
        environment["PSM_LOG_LEVEL"] = "info"
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        process = p
    }

    var pid: Int32 { process.processIdentifier }
    var alive: Bool { process.isRunning }

    /// Text of its log so far.
    var text: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// The port its log says it listens on (read until `seconds` pass; nil if never).
    func waitForPort(within seconds: Double) async -> Int? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {  // looked for once more after the last wait
            for line in text.split(separator: "\n") {
                guard let range = line.range(of: "listening on ") else { continue }
                let address = line[range.upperBound...].prefix { !$0.isWhitespace }
                if let colon = address.lastIndex(of: ":"), let p = Int(address[address.index(after: colon)...]) {
                    port = p
                    return p
                }
            }
            if !alive || Date() >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// SIGKILL: no graceful shutdown, no lease release — the process stops wherever it is.
    func kill() {
        _ = Foundation.kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// The `wall_ms` of every decision cycle it logged.
    var cycleMilliseconds: [Double] {
        text.split(separator: "\n").compactMap { line in
            guard line.contains("cycle"), let r = line.range(of: "wall_ms=") else { return nil }
            return Double(line[r.upperBound...].prefix { $0.isNumber || $0 == "." })
        }
    }
}
