// psm-realvm-actuator: psm's ActuatorRuntime in a process of its own, for the real-VM restart
// test (Tests/RealVMTests/ActuatorRestartTests.swift), which SIGKILLs it in the middle of an
// activation. Same configuration loader, runtime, reconciler and activator as `psm-actuator`;
// the only addition is a kill point on the hypervisor calls.
//
//   psm-realvm-actuator provision --config FILE [--timeout S] [--kill-at METHOD:before|after]
//       decision cycles (real clock, every 0.5 s, no demand) until every group holds at least
//       its minimum of ready shadows; prints `READY <shadow ids>`; exit 1 on timeout. With
//       --kill-at, it stops at the first call of METHOD (as below).
//   psm-realvm-actuator activate --config FILE --group G --demand X [--kill-at METHOD:before|after]
//       starts (adoption included), records demand X for group G and runs one decision cycle,
//       which activates. With --kill-at, the first call of METHOD made by that cycle stops the
//       process before or after it reaches libvirt: it prints `KILL-POINT METHOD:when` and blocks
//       until killed. Prints `ACTIVATION <id> <outcome>` per activation.
import Actuator
import Foundation
import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import MetricStore
import RealVMSupport
import Scaling
import Synchronization

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-realvm-actuator: \(message)\n".utf8))
    exit(1)
}

/// One line to stdout, written at once (unbuffered: the test reads it while the process runs).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first, ["provision", "activate"].contains(mode) else {
    fail("usage: psm-realvm-actuator provision|activate --config FILE …")
}
var options: [String: String] = [:]
var rest = arguments.dropFirst()
while let key = rest.popFirst() {
    guard key.hasPrefix("--"), let value = rest.popFirst() else { fail("expected --option value, got \(key)") }
    options[String(key.dropFirst(2))] = value
}
guard let configPath = options["config"] else { fail("--config FILE is required") }
let configuration: ActuatorConfiguration
do { configuration = try ActuatorConfiguration.load(path: configPath) } catch { fail("\(error)") }

/// Where the process stops: METHOD and before/after, armed once the runtime has started.
struct KillPoint: Sendable {
    var method: String
    var after: Bool
}
let killPoint: KillPoint? = options["kill-at"].map { spec in
    let parts = spec.split(separator: ":")
    guard parts.count == 2, parts[1] == "before" || parts[1] == "after" else { fail("--kill-at METHOD:before|after, got \(spec)") }
    return KillPoint(method: String(parts[0]), after: parts[1] == "after")
}
let armed = Atomic<Bool>(false)

@Sendable func checkpoint(_ call: HypervisorCall, after: Bool) {
    guard let killPoint, armed.load(ordering: .acquiring), call.method == killPoint.method, killPoint.after == after else { return }
    say("KILL-POINT \(call.method):\(after ? "after" : "before") \(call.domain)")
    // Stop here, as a crash would: nothing after this point runs. The test SIGKILLs the process.
    while true { sleep(3600) }
}

let connect: (HostConfig) throws -> any Hypervisor = { host in
    InterceptingHypervisor(try LibvirtHypervisor(uri: host.uri),
                           before: { checkpoint($0, after: false) }, after: { checkpoint($0, after: true) })
}
let runtime: ActuatorRuntime
do {
    runtime = try await ActuatorRuntime(configuration: configuration, clock: SystemWallClock(), connect: connect)
} catch {
    fail("cannot start: \(error)")
}
for (host, problem) in await runtime.hostProblems { FileHandle.standardError.write(Data("host \(host): \(problem)\n".utf8)) }

switch mode {
case "provision":
    let timeout = Double(options["timeout"] ?? "") ?? 120
    let deadline = Date().addingTimeInterval(timeout)
    armed.store(true, ordering: .releasing)
    while Date() < deadline {
        let report = await runtime.cycle()
        for p in report.problems where !p.contains("no forecast") {
            FileHandle.standardError.write(Data("cycle: \(p)\n".utf8))
        }
        let ready = (try? runtime.store.shadows(states: [.ready])) ?? []
        let done = configuration.groups.allSatisfy { g in ready.filter { $0.group == g.name }.count >= g.bounds.minimum }
        if done {
            say("READY " + ready.map(\.id).sorted().joined(separator: " "))
            exit(0)
        }
        try? await Task.sleep(for: .milliseconds(500))
    }
    fail("no ready shadows within \(timeout) s")
default:
    guard let group = options["group"], let demand = options["demand"].flatMap(Double.init) else {
        fail("activate needs --group G --demand X")
    }
    armed.store(true, ordering: .releasing)
    await runtime.observe(group: group, demand: demand, at: runtime.clock.now())
    let report = await runtime.cycle()
    for p in report.problems where !p.contains("no forecast") { FileHandle.standardError.write(Data("cycle: \(p)\n".utf8)) }
    for a in report.activations { say("ACTIVATION \(a.id) \(a.outcome?.rawValue ?? "open")") }
    exit(0)
}
