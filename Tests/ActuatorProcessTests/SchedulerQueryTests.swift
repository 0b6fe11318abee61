import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// docs/hypervisor.md's scheduler queries, run verbatim: the curl + jq filter against a running
/// `psm-actuator` with three test-driver hosts, and the virsh XPath loop against a node whose
/// shadows' metadata is known.
@Suite struct SchedulerQueryTests {
    /// The shell block after the `<!-- marker…` line of docs/hypervisor.md.
    static func documented(_ marker: String) throws -> String {
        let text = try String(contentsOf: TrainingScratch.root.appendingPathComponent("docs/hypervisor.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("<!-- \(marker)") }, "docs/hypervisor.md has no \(marker) block")
        let open = try #require(lines[start...].firstIndex { $0 == "```sh" })
        let close = try #require(lines[(open + 1)...].firstIndex { $0 == "```" })
        return lines[(open + 1)..<close].joined(separator: "\n")
    }

    /// Runs `script` with /bin/sh and `environment`; its stdout, and its status.
    static func shell(_ script: String, _ environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Closed at once: this runs every 250 ms while the service starts, and descriptors left to
        // deallocation add up in a test process that many suites share.
        try? pipe.fileHandleForReading.close()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func node(cpus: Int, memoryMiB: Int) -> String {
        """
        <node><cpu><mhz>2000</mhz><model>x86_64</model><active>\(cpus)</active><nodes>1</nodes><sockets>1</sockets>
        <cores>\(cpus)</cores><threads>1</threads></cpu><memory>\(memoryMiB * 1024)</memory></node>
        """
    }

    @Test func theDocumentedFilterListsHostsWhoseFreeCapacityLeavesTheReservationsAlone() async throws {
        let dir = NSTemporaryDirectory() + "psm-scheduler-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/Models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // h-a and h-b: 8 CPUs, 16 GiB; h-c: 4 CPUs, 4 GiB (too small for a shadow of 4 vCPUs and 8 GiB).
        var hosts = ""
        for (name, cpus, memory) in [("h-a", 8, 16_384), ("h-b", 8, 16_384), ("h-c", 4, 4_096)] {
            try Self.node(cpus: cpus, memoryMiB: memory).write(toFile: "\(dir)/\(name).xml", atomically: true, encoding: .utf8)
            hosts += "[[actuator.hosts]]\nname = \"\(name)\"\nuri = \"test://\(dir)/\(name).xml\"\n\n"
        }
        try """
        [actuator]
        store = "store.sqlite"
        registry = "Models"
        interval = 1

        \(hosts)
        [[actuator.groups]]
        name = "web"
        unit = 1
        vcpus = 4
        memory_mib = 8192
        min = 2
        max = 2
        """.write(toFile: dir + "/psm.toml", atomically: true, encoding: .utf8)
        let token = "scheduler-query-token-0123456789"
        // Port 0: the service binds a free port and logs it (a port picked here and released could
        // be taken by another test's server before psm-actuator binds it).
        let child = try launchProcess(try builtExecutable("psm-actuator"),
                                      ["run", "--config", dir + "/psm.toml", "--listen", "127.0.0.1:0"],
                                      environment: ["PSM_API_TOKEN": token, "PSM_LOG_LEVEL": "info"],
                                      terminateAfter: 0, whenFileExists: dir + ".stop", timeout: 600)
        // Outside `dir` (removed when the test ends; this empty file stays in the temporary
        // folder): the watcher sends SIGTERM when it appears.
        defer { _ = FileManager.default.createFile(atPath: dir + ".stop", contents: nil) }
        let port = try #require(await child.listeningPort(within: 180), "no listening line: \(child.errors.suffix(1500))")
        let environment = ["PSM_URL": "http://127.0.0.1:\(port)", "PSM_API_TOKEN": token]
        // Until the pool of two is reserved (one shadow on each large host: anti-affinity).
        let reserved = #"curl -fsS -H "Authorization: Bearer $PSM_API_TOKEN" "$PSM_URL/v1/hosts" | jq -c '[.hosts[] | {(.name): .reserved.vcpus}] | add'"#
        var seen = ""
        // Generous, as ServedAPITests: the parallel suite on two loaded cores can hold a debug
        // binary's start-up long.
        let deadline = Date().addingTimeInterval(180)
        while true {  // queried once more after every wait, the last included
            do { seen = try Self.shell(reserved, environment).output } catch { seen = "cannot run the query: \(error)" }
            if seen.hasPrefix(#"{"h-a":4,"h-b":4,"h-c":0}"#) || Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let log = child.errors
        try #require(seen.hasPrefix(#"{"h-a":4,"h-b":4,"h-c":0}"#), "reservations \(seen); \(log.suffix(1500))")

        let query = try Self.documented("scheduler-query")
        func fitting(vcpus: Int, mem: Int) throws -> [String] {
            let run = try Self.shell(query, environment.merging(["vcpus": "\(vcpus)", "mem": "\(mem)"]) { $1 })
            #expect(run.status == 0)
            return run.output.split(separator: "\n").map(String.init)
        }
        // 8 − 4 reserved vCPUs and 16 − 8 GiB are free on h-a and h-b; h-c has 4 vCPUs and 4 GiB.
        #expect(try fitting(vcpus: 4, mem: 8192) == ["h-a", "h-b"])
        #expect(try fitting(vcpus: 4, mem: 4096) == ["h-a", "h-b", "h-c"])
        // Without the reservations h-a and h-b would take 6 vCPUs: the filter leaves them alone.
        #expect(try fitting(vcpus: 6, mem: 1024) == [])
    }

    @Test func theDocumentedVirshLoopSumsWhatParkedShadowsHold() throws {
        let node = TrainingScratch.root.appendingPathComponent("Tests/LibvirtHypervisorTests/Fixtures/node.xml").path
        let run = try Self.shell(try Self.documented("scheduler-virsh"), ["uri": "test://" + node])
        #expect(run.status == 0)
        // The fixture's two shadows: 4 vCPUs / 1 GiB (paused) and 2 vCPUs / 2 GiB (saved); the
        // untagged domain is not counted.
        #expect(run.output == "6 3145728\n")
    }
}
