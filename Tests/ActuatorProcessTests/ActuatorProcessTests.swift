import Foundation
import PSMConfiguration
import Testing

/// The shipped `psm-actuator`, run as a user runs it: what it does when its API cannot bind, when
/// no hypervisor answers, when a number is out of range, and on SIGTERM (hardening issue).
@Suite struct ActuatorProcessTests {
    static let token = ["PSM_API_TOKEN": "process-test-token-0123456789"]

    /// Before the fix the decision loop ran 700–1,700 cycles a second, activated shadows and
    /// ignored SIGTERM once the API had failed to bind.
    @Test func anAPIThatCannotBindEndsTheProcessWithTheReason() async throws {
        let scratch = try ActuatorScratch()
        defer { scratch.cleanUp() }
        let taken = try TakenPort()
        let run = try await runProcess(try builtExecutable("psm-actuator"),
                                 ["run", "--config", scratch.config, "--listen", "127.0.0.1:\(taken.port)"],
                                 environment: Self.token, timeout: 30)
        #expect(!run.signalled, "had to be killed after \(run.seconds) s")
        #expect(run.status != 0)
        #expect(run.errors.contains("the API cannot serve on 127.0.0.1:\(taken.port)"), "\(run.errors.suffix(2000))")
        let cycles = run.errors.components(separatedBy: "\n").filter { $0.contains(" cycle ") || $0.hasSuffix(": cycle") }.count
        #expect(cycles <= 3, "\(cycles) cycles ran after the bind failure")
    }

    @Test func sigtermStopsTheServiceCleanly() async throws {
        let scratch = try ActuatorScratch()
        defer { scratch.cleanUp() }
        let run = try await runProcess(try builtExecutable("psm-actuator"),
                                 ["run", "--config", scratch.config, "--listen", "127.0.0.1:0"],
                                 environment: Self.token, terminateAfter: 0.5, whenStderrContains: "Server started", timeout: 30)
        // Failed intermittently under the parallel suite before psm-actuator took its signals with
        // sigwait on a synchronous main thread (TerminationSignals: dispatch_main's sigsuspend).
        #expect(!run.signalled && run.status == 0, "status \(run.status), signals \(run.signalState): \(run.errors.suffix(500))")
        #expect(run.errors.contains("stopping gracefully"))
        #expect(run.errors.contains("decision loop stopped"))
    }

    /// Without a service group (a replay), the first SIGTERM ends the process as the default action
    /// would — but by psm-actuator's own exit, so it says so.
    @Test func sigtermEndsAReplayWithStatus143() async throws {
        let scratch = try ActuatorScratch()
        defer { scratch.cleanUp() }
        let run = try await runProcess(try builtExecutable("psm-actuator"),
                                       ["run", "--config", scratch.config, "--replay", try scratch.trace(steps: 20), "--speed", "0.5"],
                                       terminateAfter: 0.5, whenFileExists: scratch.path + "/store.sqlite", timeout: 60)
        #expect(!run.signalled && run.status == 128 + SIGTERM, "status \(run.status): \(run.errors.suffix(500))")
        #expect(run.errors.contains("stopped by signal \(SIGTERM)"))
    }

    @Test(arguments: ["bogus://x", "test:///nonexistent-psm-node.xml"])
    func anUnreachableHypervisorIsAnError(uri: String) async throws {
        let scratch = try ActuatorScratch()
        defer { scratch.cleanUp() }
        let actuator = try builtExecutable("psm-actuator")
        let trace = try scratch.trace()
        let replay = try await runProcess(actuator, ["run", "--config", scratch.config, "--replay", trace, "--hypervisor", uri])
        #expect(replay.status != 0 && !replay.signalled)
        #expect(replay.errors.contains("no configured host could be reached"), "\(replay.errors.suffix(2000))")
        let live = try await runProcess(actuator, ["run", "--config", scratch.config, "--cycles", "1", "--hypervisor", uri])
        #expect(live.status != 0 && !live.signalled)
        #expect(live.errors.contains("no configured host could be reached"), "\(live.errors.suffix(2000))")
    }

    /// libvirt reads "" as its default URI, which drove real QEMU on a test machine.
    @Test func anEmptyHypervisorURIIsRefused() async throws {
        let scratch = try ActuatorScratch()
        defer { scratch.cleanUp() }
        let run = try await runProcess(try builtExecutable("psm-actuator"),
                                 ["run", "--config", scratch.config, "--cycles", "1", "--hypervisor", ""])
        #expect(run.status != 0 && !run.signalled)
        #expect(run.errors.contains("--hypervisor is empty"))
    }

    @Test func oneUnreachableHostOfTwoIsAProblemAndAFailedReplay() async throws {
        let scratch = try ActuatorScratch(extra: """

            [[actuator.hosts]]
            name = "up"
            uri = "test:///default"

            [[actuator.hosts]]
            name = "down"
            uri = "bogus://x"
            """)
        defer { scratch.cleanUp() }
        let trace = try scratch.trace()
        let run = try await runProcess(try builtExecutable("psm-actuator"), ["run", "--config", scratch.config, "--replay", trace])
        #expect(run.status != 0 && !run.signalled)
        let problems = run.output.components(separatedBy: "\n").first { $0.contains("problems:") }
        #expect(problems != nil && problems?.contains("problems:           0") == false, "\(run.output)")
        #expect(run.output.contains("host down: cannot connect to bogus://x"))
        #expect(run.errors.contains("1 configured host(s) could not be used"))
    }

    @Test(arguments: [
        ("interval = 9223372036854775807", "[actuator] interval"),
        ("horizon = 100000000", "[actuator] horizon"),
    ])
    func anOutOfRangeNumberIsAConfigurationErrorNotATrap(line: String, location: String) async throws {
        let scratch = try ActuatorScratch(extra: "")
        defer { scratch.cleanUp() }
        let text = try String(contentsOfFile: scratch.config, encoding: .utf8)
            .replacingOccurrences(of: "interval = 1\n", with: line + "\n")
        try text.write(toFile: scratch.config, atomically: true, encoding: .utf8)
        let run = try await runProcess(try builtExecutable("psm-actuator"), ["run", "--config", scratch.config, "--cycles", "1"])
        #expect(!run.signalled && run.status != 0)
        #expect(run.errors.contains(location), "\(run.errors.suffix(2000))")
        #expect(!run.errors.contains("Fatal error"))
    }
}
