import Calibration
import Foundation
import TimeSeries

/// How long a paused and a saved shadow take to serve once an activation starts: the `resume` of a
/// paused shadow against the `restore` (+ `resume`) of a saved one, in seconds — measured from the
/// store's activation records, or the documented defaults until enough are measured.
package struct ActivationLatencies: Sendable, Hashable, Codable {
    /// Seconds from the start of a paused shadow's resume to running.
    package var resume: Double
    /// Seconds from the start of a saved shadow's restore to running (restore + resume).
    package var restore: Double
    /// How many activations each figure is the median of (0: the default).
    package var resumeSamples: Int
    package var restoreSamples: Int

    package init(resume: Double, restore: Double, resumeSamples: Int = 0, restoreSamples: Int = 0) {
        self.resume = resume
        self.restore = restore
        self.resumeSamples = resumeSamples
        self.restoreSamples = restoreSamples
    }

    /// Before any activation is measured: the medians on real QEMU guests (resume API 4.1 ms;
    /// restore → guest serving 0.65 s; /work notes "Real VMs", docs/actuator.md "Park mode").
    package static let defaults = ActivationLatencies(resume: 0.004, restore: 0.65)
    /// Fewest measured activations a median is taken from (below it the default stands).
    package static let minimumSamples = 3

    /// The extra seconds a saved shadow leaves demand waiting, compared with a paused one.
    package var extra: Double { max(restore - resume, 0) }
}

/// `park = "auto"`: whether a group's new shadows are paused or saved, from what each costs per
/// interval (docs/actuator.md, "Park mode").
///
/// - Paused: every shadow holds its balloon's baseline memory on the host:
///   **hold = shadows × baseline GiB × c_memory**.
/// - Saved: nothing in memory (a disk image, not priced), but an activation restores first, so the
///   demand the pool serves waits `extra` = restore − resume seconds longer:
///   **miss = c_miss × (extra / interval) × E[served]**, with E[served] = ∫ P(D > y) dy over the
///   pool's capacity slice (R, R + shadows × unit] of the next interval's forecast — the expected
///   demand above the running capacity, which only activations can serve (the same integral the
///   budget step values shadows with).
///
/// Saved when miss < hold; a tie (e.g. no memory price, no expected demand) stays paused, the
/// faster mode.
package struct ParkChoice: Sendable, Hashable, Codable {
    package var mode: ParkMode
    /// Shadows the comparison is made for (the decided pool, at least 1).
    package var shadows: Int
    package var baselineMemoryGiB: Double
    /// c_memory: one GiB held for one interval, and whether it was configured or derived.
    package var memoryCost: Double
    package var memoryCostConfigured: Bool
    /// Per interval: the paused pool's memory, and the saved pool's expected extra misses.
    package var holdCost: Double
    package var missCost: Double
    /// E[served]: expected demand above running capacity within the pool, capacity units (nil: no forecast).
    package var expectedServed: Double?
    package var latencies: ActivationLatencies
    /// Why the costs were not compared (no forecast): the mode is then the last one chosen, or pause.
    package var note: String?

    /// c_memory when `[actuator.costs] memory` is not set: half of a shadow's reserve cost spread
    /// over its full memory, i.e. memory is taken as half of what a reservation prices.
    package static func derivedMemoryCost(unit: Double, reserveCost: Double, fullMemoryMiB: Double) -> Double {
        guard fullMemoryMiB > 0 else { return 0 }
        return 0.5 * unit * reserveCost / (fullMemoryMiB / 1024)
    }

    /// The choice. `memoryCost` is per GiB per interval (configured, or nil for the derived one);
    /// `forecast` and `running` give E[served] at `step` (nil forecast: no comparison, `previous`
    /// or pause is kept).
    package static func choose(costs: CostModel, memoryCost configured: Double?, unit: Double, baselineMemoryMiB: Double,
                              fullMemoryMiB: Double, shadows pool: Int, running: Double, forecast: ForecastDistribution?,
                              step: Int = 1, latencies: ActivationLatencies, previous: ParkMode? = nil) -> ParkChoice {
        let shadows = max(pool, 1)
        let gib = baselineMemoryMiB / 1024
        let cMemory = configured ?? derivedMemoryCost(unit: unit, reserveCost: costs.reserveCost, fullMemoryMiB: fullMemoryMiB)
        let hold = Double(shadows) * gib * cMemory
        let served = forecast.flatMap { expectedServed($0, step: step, running: running, width: Double(shadows) * unit) }
        var choice = ParkChoice(mode: previous ?? .pause, shadows: shadows, baselineMemoryGiB: gib, memoryCost: cMemory,
                                memoryCostConfigured: configured != nil, holdCost: hold, missCost: .nan,
                                expectedServed: served, latencies: latencies, note: nil)
        guard let served else {
            choice.note = "no usable forecast: kept \(choice.mode.rawValue)"
            return choice
        }
        choice.missCost = costs.missCost * (latencies.extra / costs.interval) * served
        choice.mode = choice.missCost < hold ? .save : .pause
        return choice
    }

    /// ∫ P(D > y) dy over (running, running + width], Simpson's rule on each unit-wide slice
    /// (16 slices at most); nil when the forecast has no such step or the inputs are not finite.
    static func expectedServed(_ forecast: ForecastDistribution, step: Int, running: Double, width: Double) -> Double? {
        guard running.isFinite, width.isFinite, width > 0, forecast.cdf(running, step: step) != nil else { return nil }
        func survival(_ y: Double) -> Double {
            guard let f = forecast.cdf(y, step: step), f.isFinite else { return 0 }
            return 1 - min(max(f, 0), 1)
        }
        let slices = 16
        let h = width / Double(slices)
        var total = 0.0
        var left = survival(running)
        for i in 0..<slices {
            let a = running + Double(i) * h
            let mid = survival(a + h / 2), right = survival(a + h)
            total += h / 6 * (left + 4 * mid + right)
            left = right
        }
        return total
    }

    /// A figure for `explain`: small costs keep three significant digits instead of rounding to 0.
    private func num(_ x: Double) -> String {
        x.isFinite && x != 0 && abs(x) < 0.1 ? String(format: "%.3g", x) : fmt(x)
    }

    /// One line for `explain`.
    package var explanation: String {
        let l = latencies
        func source(_ n: Int) -> String { n == 0 ? "default" : "median of \(n)" }
        let memory = "\(shadows) × \(num(baselineMemoryGiB)) GiB × c_memory \(num(memoryCost))"
            + (memoryCostConfigured ? "" : " (derived: ½ × unit × c_reserve / full GiB)")
        var line = "park auto → \(mode.rawValue): paused holds \(memory) = \(num(holdCost)) per interval"
        guard let served = expectedServed, note == nil else { return line + "; \(note ?? "")" }
        line += "; saved restores in \(num(l.restore)) s (\(source(l.restoreSamples))) vs resume \(num(l.resume)) s (\(source(l.resumeSamples))),"
            + " so E[served] \(num(served)) units wait \(num(l.extra)) s more: c_miss × \(num(l.extra)) / interval × \(num(served))"
            + " = \(num(missCost)) per interval"
        return line + (mode == .save ? " < hold" : " ≥ hold")
    }
}
