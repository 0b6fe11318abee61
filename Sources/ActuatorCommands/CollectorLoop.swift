import Actuator
import Foundation
import Logging
import ServiceLifecycle

/// The collector as a service beside the decision loop: one collection every `[actuator.collect]
/// interval` seconds — the hosts' VM stats and, at the same time, the `[[actuator.scrape]]`
/// targets — handed to the runtime (live demand of groups whose `demand_metric` is a VM metric or
/// a scraped one, and measured running capacity), then the live trigger on it
/// (`ActuatorRuntime.liveTrigger`: ready shadows activated when live demand crosses the threshold,
/// `[actuator.trigger] live = "collection"`). It never runs inside a decision cycle; a cycle waits
/// for it only while `apply` or an activation takes the runtime's actor.
struct CollectorLoop: Service {
    let collector: Collector
    let scraper: Scraper?
    let runtime: ActuatorRuntime
    let interval: Int64
    let logger: Logger

    func run() async throws {
        var logged: Set<String> = []
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let now = Int64(Date().timeIntervalSince1970)
            async let scraped = scraper?.scrape(now: now)
            let report = await collector.collect(now: now)
            await runtime.apply(report)
            logger.debug("collection", metadata: [
                "vms": "\(report.vms.count)", "groups": "\(report.groups.count)", "written": "\(report.written)",
                "expired": "\(report.expired)", "ms": "\(String(format: "%.2f", report.seconds * 1000))",
            ])
            var problems = report.problems.map { "collector: \($0)" }
            if let scrape = await scraped {
                await runtime.apply(scrape)
                logger.debug("scrape", metadata: [
                    "targets": "\(scrape.attempted)", "values": "\(scrape.values.count)", "written": "\(scrape.written)",
                    "expired": "\(scrape.expired)", "ms": "\(String(format: "%.2f", scrape.seconds * 1000))",
                ])
                problems += scrape.problems
            }
            // The live trigger on what was just collected: a rise waits one collection, not a cycle.
            let live = await runtime.liveTrigger()
            if !live.activations.isEmpty {
                logger.info("live trigger", metadata: [
                    "activations": "\(live.activations.count)",
                    "groups": "\(live.triggers.map(\.group).joined(separator: ","))",
                ])
            }
            problems += live.problems
            // Each distinct problem once at warning (a host or target that stays down would repeat
            // it every few seconds), then at debug.
            for problem in problems {
                if logged.insert(problem).inserted { logger.warning("\(problem)") } else { logger.debug("\(problem)") }
            }
            if logged.count > 10_000 { logged.removeAll() }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) } } catch {}
        }
    }
}
