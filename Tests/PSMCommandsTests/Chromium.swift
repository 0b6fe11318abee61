import Foundation

/// Runs Debian's headless Chromium on a file, the way the report tests need it.
struct Chromium {
    let executable: String

    /// The browser on PATH (`chromium`, then `chromium-browser`), or `PSM_CHROMIUM` when set.
    static func find() -> Chromium? {
        if let path = ProcessInfo.processInfo.environment["PSM_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) {
            return Chromium(executable: path)
        }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return Chromium(executable: "\(dir)/\(name)")
            }
        }
        return nil
    }

    static let missingMessage = "chromium is not installed: run scripts/setup.sh (CI installs it) or set PSM_CHROMIUM"

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool

        /// Console messages (JS errors, CSP-blocked loads) and failed loads Chromium logged.
        /// With `--enable-logging=stderr`, every console message is a `:CONSOLE` line whatever its
        /// level, and the report's Content-Security-Policy turns any fetch into such a message.
        var pageProblems: [String] {
            stderr.split(separator: "\n").map(String.init).filter {
                $0.contains(":CONSOLE") || $0.contains("Failed to load") || $0.contains("net::ERR_")
            }
        }
    }

    /// Runs the browser headless as root-safe (`--no-sandbox`) with its own throw-away profile, so
    /// that parallel tests do not share one; kills it after `timeout` seconds.
    func run(_ arguments: [String], url: String, profile: String, timeout: TimeInterval = 60) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--no-first-run", "--user-data-dir=\(profile)"] + arguments + [url]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the browser runs so that neither fills up and blocks it.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { process.terminate(); timedOut = true; break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 10) // helper processes may hold the pipes a moment longer
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut)
    }
}
