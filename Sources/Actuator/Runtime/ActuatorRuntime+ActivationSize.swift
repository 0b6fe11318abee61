import Foundation
import Hypervisor
import MetricStore
import Scaling

/// Activation to the predicted size (docs/actuator.md, "Activation"): the trigger's share of the
/// forecast per VM, the API's capacity, and what an activated shadow serves.
extension ActuatorRuntime {
    /// The size each of `count` VMs activated for `input`'s group is predicted to need: the
    /// demand peak over the activation horizon (live demand and the trigger's `forecast_level`
    /// quantile within `activation_lead_time`), brought to the trigger threshold θ of the new
    /// capacity, minus what runs, split over the `count` VMs (`ActivationSizing`); memory from the
    /// group's memory forecast when it has a memory model (`predictedMemory`), else from the MiB
    /// per capacity unit the collector measured. Nil (full size) when no figure is finite.
    func predictedTarget(_ input: TriggerInput, count: Int) -> ActivationTarget? {
        let trigger = configuration.trigger
        guard let peak = ActivationSizing.demandPeak(live: input.demand, forecast: input.forecast, level: trigger.forecastLevel,
                                                     leadTime: trigger.activationLeadTime, step: configuration.interval),
              let share = ActivationSizing.share(peak: peak, running: input.running, threshold: trigger.utilisationThreshold,
                                                 count: count)
        else { return nil }
        // A group with a memory model: its memory forecast's share (never below the CPU share's).
        return ActivationTarget(units: share, memoryMiB: predictedMemory(input.group, units: share, count: count),
                                memoryMiBPerUnit: measuredMemoryPerUnit(input.group))
    }

    /// MiB of memory one capacity unit of `group` uses now: the collector's memory sum over the
    /// running members and activated shadows divided by their capacity units. Nil without a
    /// measurement (no members, a gap in memory, no capacity).
    func measuredMemoryPerUnit(_ group: String) -> Double? {
        guard let g = configuration.group(group), let seen = measured[group], let memory = seen.sums["memory_mib"],
              memory.isFinite, memory >= 0 else { return nil }
        let shadows = (try? store.shadows(group: group, states: [.activating, .active])) ?? []
        let units = seen.memberUnits + (activeShadowUnits(shadows)[g.name] ?? 0)
        guard units > 0 else { return nil }
        return memory / units
    }

    /// Capacity units an activation serves: the group's unit × applied vCPUs / full vCPUs (the
    /// full unit when its size was not recorded).
    func servedUnits(_ record: ActivationRecord) -> Double {
        guard let group = configuration.group(record.group) else { return 0 }
        return servedUnits(group, appliedVCPUs: record.applied.map { Int64($0.vcpus) })
    }

    /// The units one of `group`'s activated shadows serves with `appliedVCPUs` (nil: no size
    /// recorded, the full unit).
    func servedUnits(_ group: GroupConfiguration, appliedVCPUs: Int64?) -> Double {
        let unit = Double(group.template.units)
        let full = group.template.full.vcpus
        guard let appliedVCPUs, full > 0 else { return unit }
        return unit * min(1, Double(appliedVCPUs) / Double(full))
    }

    /// `POST /v1/groups/{group}/activate`: the group's best ready shadow, to `capacity` (nil: full).
    public func activate(group: String, requestID: String?, capacity: ActivationCapacity?) async throws(ControlError) -> ActivationView {
        guard !dryRun else { throw ControlError(.conflict, "the actuator runs with --dry-run: nothing is activated") }
        guard configuration.group(group) != nil else { throw ControlError(.notFound, "unknown group \(group)") }
        let id = requestID ?? "api-\(UUID().uuidString.lowercased())"
        if let existing = try control(.unavailable, { try store.activation(id: id) }), existing.group != group {
            throw ControlError(.conflict, "request id \(id) was used for group \(existing.group)")
        }
        let target = capacity.map { c in
            ActivationTarget(units: c.units, vcpus: c.vcpus, memoryMiB: c.memoryMiB.map(Double.init),
                             memoryMiBPerUnit: c.units == nil ? nil : measuredMemoryPerUnit(group))
        }
        do {
            let record = try await activator.activate(group: group, activationID: id, target: target)
            if record.outcome == .succeeded { ledger.recordActivation(group: record.group, servedUnits: servedUnits(record)) }
            metrics.recordActivation(record)
            return ActivationView(record)
        } catch {
            if let record = error.record { metrics.recordActivation(record) }
            switch error.kind {
            case .noShadow: throw ControlError(.conflict, error.message)
            case .notReady: throw ControlError(.conflict, error.message)
            case .store: throw ControlError(.unavailable, error.message)
            case .stepFailed:
                if let record = error.record { return ActivationView(record) }
                throw ControlError(.unavailable, error.message)
            }
        }
    }
}
