import Foundation
import Hypervisor
import ModelRegistry
import Scaling
import TimeSeries

/// The memory side of a group (issue 14 item 4; docs/actuator.md, "Binding resource"): a group
/// whose memory model (`<group>.memory_mib`, published by `psm train` from the collected
/// `<group>/memory_mib`) is served gets its memory forecast each cycle, fed with the collector's
/// memory sums, and the sizer takes the larger of the CPU and memory shadow counts. A group
/// without one is sized and activated exactly as before.
extension ActuatorRuntime {
    /// Feeds `group`'s memory model the collector's latest memory sum and returns the sizer's memory
    /// side: the memory forecast (MiB; nil when it cannot be made — said in `problems`, and CPU alone
    /// then sizes the pool), the MiB the running capacity holds (`heldMemory`) and the MiB one
    /// shadow adds (its full memory). Nil when the group has no memory model.
    func memorySide(_ group: GroupConfiguration, running: Double, calendar: [Event], problems: inout [String]) -> MemoryInput? {
        guard let name = memoryModelGroups[group.name], let scorer = memoryCatalog.scorer(group: name) else {
            if !memorySides.isEmpty { memorySides[group.name] = nil }
            return nil
        }
        let key = MemoryModelName.seriesKey(of: group.name)
        let ids = scorer.seriesIDs
        let series = ids.contains(key) || ids.count != 1 ? key : ids.first ?? key
        if let observed = memoryObserved[group.name] {
            do {
                try memoryCatalog.record(group: name, seriesID: series, observations: [observed.value],
                                         startingAt: gridPosition(observed.time, group: name, series: series, in: memoryCatalog),
                                         step: configuration.interval, events: calendar)
            } catch {
                problems.append("group \(group.name): memory model: \(error)")
            }
        }
        var forecast: ForecastDistribution?
        do {
            let all = try memoryCatalog.forecast(group: name, horizon: configuration.horizon, levels: configuration.levels,
                                                 events: calendar)
            if let result = all[series] {
                forecast = try result.get()
            } else {
                problems.append("group \(group.name): the memory model \(name) has no series \(series)")
            }
        } catch {
            problems.append("group \(group.name): no memory forecast: \(error)")
        }
        let side = MemoryInput(forecast: forecast, running: heldMemory(group, running: running), unit: fullMemoryMiB(group))
        memorySides[group.name] = side
        return side
    }

    /// MiB the group's running capacity holds: the collector's latest `memory_mib` sum over its
    /// running members and activated shadows (the series its memory model forecasts), or — before
    /// any was collected, or where the hypervisor reports no balloon — the running capacity units
    /// at the shadow template's memory per unit (`running` / unit × full MiB).
    func heldMemory(_ group: GroupConfiguration, running: Double) -> Double {
        if let seen = memoryObserved[group.name] { return seen.value }
        let units = Double(group.template.units)
        return units > 0 && running.isFinite ? max(running, 0) / units * fullMemoryMiB(group) : 0
    }

    /// The MiB one shadow of `group` adds: its template's full memory.
    func fullMemoryMiB(_ group: GroupConfiguration) -> Double { Double(group.template.full.memoryKiB) / 1024 }

    /// The memory (MiB) each of `count` VMs activated for `group` is given when the group has a
    /// memory model: the growth its memory forecast predicts over the activation horizon — the
    /// peak of the live sum and the trigger's `forecast_level` quantile within
    /// `activation_lead_time`, minus what the running capacity holds, split over the `count` VMs —
    /// but never less than the CPU share's memory (`units` × the measured MiB per unit, else the
    /// template's), so a forecast of no growth never parks a VM activated for CPU load at its
    /// baseline memory. Nil without a memory model (the measured MiB per unit, else full memory,
    /// as before).
    func predictedMemory(_ group: String, units: Double, count: Int) -> Double? {
        guard let side = memorySides[group], let g = configuration.group(group) else { return nil }
        let trigger = configuration.trigger
        let perUnit = measuredMemoryPerUnit(group) ?? (g.template.units > 0 ? side.unit / Double(g.template.units) : side.unit)
        let floor = max(units, 0) * perUnit
        guard let peak = ActivationSizing.demandPeak(live: memoryObserved[group]?.value ?? .nan, forecast: side.forecast,
                                                     level: trigger.forecastLevel, leadTime: trigger.activationLeadTime,
                                                     step: configuration.interval),
              side.running.isFinite else { return floor.isFinite ? floor : nil }
        let growth = max(0, (peak - side.running) / Double(max(count, 1)))
        let memory = max(growth, floor)
        return memory.isFinite ? memory : nil
    }

    /// The forecast view's memory section: the memory model served and the last cycle's memory
    /// side; nil when the group has none (the view is then as before).
    func memoryView(group: String) -> MemoryForecastView? {
        guard let name = memoryModelGroups[group], let version = memoryCatalog.version(group: name),
              let side = memorySides[group] else { return nil }
        var steps: [ForecastView.Step] = []
        if let f = side.forecast {
            let names = f.levels.map(ForecastView.levelName)
            steps = (0..<f.horizon).map { h in
                ForecastView.Step(step: h + 1, time: f.grid.start + Int64(h) * f.grid.step, mean: f.mean[h],
                                  quantiles: Dictionary(uniqueKeysWithValues: zip(names, f.quantiles[h])))
            }
        }
        return MemoryForecastView(modelVersion: version.id, modelKind: memoryCatalog.scorer(group: name)?.kind,
                                  heldMiB: side.running, steps: steps)
    }
}
