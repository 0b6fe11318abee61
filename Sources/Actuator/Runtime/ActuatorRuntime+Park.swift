import Hypervisor
import MetricStore
import Scaling
import TimeSeries

/// `park = "auto"` in the runtime (docs/actuator.md, "Park mode"): each cycle, after sizing, every
/// such group's mode is chosen from its forecast, its costs and the measured activation latencies,
/// written into its decision (`explain`) and into the reconciler's template, so the shadows parked
/// from then on use it. Shadows already parked keep their mode.
extension ActuatorRuntime {
    /// Succeeded activations read at start to seed the latency medians (a few per group suffice).
    static let latencySeed = 2_000

    /// The latency samples the store holds, oldest first (only when a group parks automatically).
    static func seededLatencies(_ store: any ActuatorStore, configuration: ActuatorConfiguration) -> LatencySamples {
        var samples = LatencySamples()
        guard configuration.groups.contains(where: \.autoPark) else { return samples }
        for record in ((try? store.recentSucceededActivations(limit: latencySeed)) ?? []).reversed() { samples.add(record) }
        return samples
    }

    /// Chooses the park mode of every `park = "auto"` group (`inputs`: its forecast and running
    /// capacity at full size) and returns the decisions with the choice attached.
    func chooseParkModes(_ decisions: [SizingDecision], inputs: [String: (forecast: ForecastDistribution?, running: Double)])
        -> [SizingDecision] {
        guard !inputs.isEmpty else { return decisions }
        var out = decisions
        for i in out.indices {
            let d = out[i]
            guard let input = inputs[d.group], let g = configuration.group(d.group) else { continue }
            let t = g.template
            let choice = ParkChoice.choose(costs: configuration.sizing.costs, memoryCost: configuration.memoryCost,
                                           unit: Double(t.units), baselineMemoryMiB: Double(t.baseline.memoryKiB) / 1024,
                                           fullMemoryMiB: Double(t.full.memoryKiB) / 1024, shadows: d.final,
                                           running: input.running, forecast: input.forecast,
                                           latencies: latencySamples.latencies(group: d.group),
                                           previous: reconciler.templates[d.group]?.park)
            out[i].park = choice
            reconciler.templates[d.group]?.park = choice.mode
        }
        return out
    }
}
