import Calibration
import TimeSeries

/// The memory side of a group's sizing (issue 14 item 4, sizer part): the group's memory demand
/// forecast (MiB) against the memory its running capacity holds; one shadow adds its full memory.
public struct MemoryInput: Sendable {
    /// The memory demand forecast (MiB); nil: memory does not size the pool.
    package var forecast: ForecastDistribution?
    /// MiB the running capacity holds, and MiB one shadow adds (its full `memory_mib`).
    package var running: Double
    package var unit: Double

    package init(forecast: ForecastDistribution?, running: Double, unit: Double) {
        self.forecast = forecast
        self.running = running
        self.unit = unit
    }
}

/// Which resource set the pool's size.
package enum BindingResource: String, Sendable, Hashable, Codable {
    case cpu, memory
}

/// The memory figures of a decision: the quantile at the CPU side's level over the same lead
/// window, and the shadows it asks for.
public struct MemorySizing: Sendable, Hashable, Codable {
    package var quantile: DemandQuantile
    /// Nil when the quantile or an input is not finite (memory then does not size the pool).
    package var shortfall: Shortfall?
    /// The resource whose shadows were taken: the larger count (CPU on a tie).
    package var binding: BindingResource

    /// Sizes memory at `aci`'s level and compares it with the CPU side's `cpuShadows`.
    init(_ input: MemoryInput, aci: AdaptiveConformal, leadTime: Int64, cpuShadows: Int, window: LeadWindow = .maximum) {
        if let forecast = input.forecast {
            quantile = DemandQuantile(forecast: forecast, aci: aci, leadTime: leadTime, window: window)
        } else {
            quantile = DemandQuantile(unavailableAt: aci.level, leadTime: leadTime)
        }
        shortfall = quantile.kind == .finite ? Shortfall(quantile: quantile.value ?? .nan, running: input.running, unit: input.unit) : nil
        binding = (shortfall?.shadows ?? 0) > cpuShadows ? .memory : .cpu
    }

    /// Shadows memory asks for (0 without a shortfall).
    package var shadows: Int { shortfall?.shadows ?? 0 }

    /// The explanation's line.
    var line: String {
        guard let s = shortfall else { return "memory: no usable quantile of memory demand: CPU alone sizes the pool" }
        let q = "memory q\(fmt(quantile.level)) = \(fmt(s.quantile)) MiB, running \(fmt(s.running)) MiB"
        let short = s.shortUnits > 0 ? "short \(fmt(s.shortUnits)) MiB = \(s.shadows) shadow\(s.shadows == 1 ? "" : "s") (\(fmt(s.unit)) MiB each)"
            : "covered → 0 shadows"
        return "\(q) → \(short); \(binding.rawValue) binds"
    }
}
