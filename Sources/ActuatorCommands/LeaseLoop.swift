import Actuator
import Foundation
import Logging
import ServiceLifecycle

/// Group leases kept between decision cycles (several actuators on one store; docs/actuator.md,
/// "Several actuators"): a pass every third of the lease period renews what is held and takes free
/// or expired groups up to the fair share — so a lease never lapses while its holder is alive,
/// whatever the decision interval, and a dead actuator's groups are taken within two lease periods.
/// Releasing surplus for an actuator that joined is left to the cycle (between its writes).
struct LeaseLoop: Service {
    let keeper: LeaseKeeper
    let logger: Logger

    func run() async throws {
        var logged: Set<String> = []
        let period = max(1, keeper.seconds / 3)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let pass = keeper.pass(at: Int64(Date().timeIntervalSince1970), rebalance: false)
            var problems = pass.lost.map { "group \($0): lease lost (taken over or expired): work on it stopped" }
            problems += pass.conflicts.values.sorted()
            if let error = pass.error { problems.append("leases: cannot renew or take leases: \(error)") }
            if !pass.acquired.isEmpty { logger.info("leases: acquired \(pass.acquired.joined(separator: ", "))") }
            for problem in problems {
                if logged.insert(problem).inserted { logger.warning("\(problem)") } else { logger.debug("\(problem)") }
            }
            if pass.error == nil { logged = logged.filter { !$0.hasPrefix("leases: cannot") } }
            if logged.count > 10_000 { logged.removeAll() }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(period)) } } catch {}
        }
    }
}
