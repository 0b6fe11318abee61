import MetricStore
import Scaling

/// The measured activation latencies the runtime keeps per group: the last `kept` succeeded
/// activations of each kind (restored from a save image, or resumed from a pause).
package struct LatencySamples: Sendable {
    package static let kept = 64
    var restore: [String: [Double]] = [:]
    var resume: [String: [Double]] = [:]

    package init() {}

    /// Takes a succeeded activation's step latencies: one with a `restore` step is a saved
    /// shadow's (restore + resume), one without a paused shadow's (resume).
    package mutating func add(_ record: ActivationRecord) {
        guard record.outcome == .succeeded, let resumed = record.stepLatencies["resume"], resumed.isFinite else { return }
        if let restored = record.stepLatencies["restore"], restored.isFinite {
            Self.push(restored + resumed, into: &restore[record.group, default: []])
        } else {
            Self.push(resumed, into: &resume[record.group, default: []])
        }
    }

    private static func push(_ value: Double, into list: inout [Double]) {
        list.append(value)
        if list.count > kept { list.removeFirst(list.count - kept) }
    }

    /// The group's medians when it has `minimumSamples` of a kind, else every group's pooled, else
    /// the default (latencies are mostly a property of the host and the guest image).
    package func latencies(group: String) -> ActivationLatencies {
        func pick(_ samples: [String: [Double]], _ fallback: Double) -> (Double, Int) {
            let own = samples[group] ?? []
            if own.count >= ActivationLatencies.minimumSamples { return (median(own), own.count) }
            let all = samples.values.flatMap { $0 }
            if all.count >= ActivationLatencies.minimumSamples { return (median(all), all.count) }
            return (fallback, 0)
        }
        let (resume, nResume) = pick(self.resume, ActivationLatencies.defaults.resume)
        let (restore, nRestore) = pick(self.restore, ActivationLatencies.defaults.restore)
        return ActivationLatencies(resume: resume, restore: restore, resumeSamples: nResume, restoreSamples: nRestore)
    }

    private func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
