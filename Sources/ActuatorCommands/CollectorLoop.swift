import Actuator
import Foundation
import Logging
import ServiceLifecycle

/// The collector as a service beside the decision loop: one collection every `[actuator.collect]
/// interval` seconds, handed to the runtime (live demand of groups whose `demand_metric` is a VM
/// metric, and measured running capacity). It never runs inside a decision cycle; a cycle waits
/// for it only while `apply` takes the runtime's actor (microseconds).
struct CollectorLoop: Service {
    let collector: Collector
    let runtime: ActuatorRuntime
    let interval: Int64
    let logger: Logger

    func run() async throws {
        var logged: Set<String> = []
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let report = await collector.collect(now: Int64(Date().timeIntervalSince1970))
            await runtime.apply(report)
            logger.debug("collection", metadata: [
                "vms": "\(report.vms.count)", "groups": "\(report.groups.count)", "written": "\(report.written)",
                "expired": "\(report.expired)", "ms": "\(String(format: "%.2f", report.seconds * 1000))",
            ])
            // Each distinct problem once at warning (a host that stays down would repeat it every
            // few seconds), then at debug.
            for problem in report.problems {
                if logged.insert(problem).inserted { logger.warning("collector: \(problem)") } else { logger.debug("collector: \(problem)") }
            }
            if logged.count > 10_000 { logged.removeAll() }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) } } catch {}
        }
    }
}
