import Foundation
import TimeSeries
import ServiceLifecycle

/// `psm train --every 6h` as a swift-service-lifecycle `Service`: one `TrainingRun` at every slot
/// of the schedule until the service group shuts down gracefully. A shutdown during a run lets the
/// run finish (its models are published whole) and stops before the next; during the wait it
/// stops at once.
package struct TrainingSchedule: Service {
    package var run: TrainingRun
    package var schedule: Schedule

    package init(run: TrainingRun, schedule: Schedule) {
        self.run = run
        self.schedule = schedule
    }

    package func run() async throws {
        let log = run.log
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await Self.offloaded { [run] in
                do { _ = try run() } catch { log("psm train: run failed: \(error)") }
            }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            let next = schedule.nextSlot(after: Date())
            log("psm train: next run at \(Timestamp.format(Int64(next.timeIntervalSince1970)))")
            // Ends early on a graceful shutdown; the loop's check then stops.
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(max(0, next.timeIntervalSinceNow)))
                }
            } catch {}
        }
        log("psm train: stopped by signal between runs")
    }

    /// A run is CPU-bound and synchronous: on a thread of its own, off the cooperative pool.
    static func offloaded(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                body()
                done.resume()
            }.start()
        }
    }
}
