import Hypervisor
import MetricStore
import Scaling

extension ActuatorRuntime {
    /// The live trigger between decision cycles (`[actuator.trigger] live = "collection"`, the
    /// default): run by the collector loop after every collection, so a rise waits one collector
    /// interval (10 s by default) for its shadows instead of up to a whole cycle. It is the cycle's
    /// own trigger (`ActivationTrigger.evaluate` at the configured threshold, the running-capacity
    /// rule, the ready pool) on live demand only — activating ahead on the forecast stays with the
    /// cycle, which scores it — and the cycle's own activation path. Sizing, reconciling and
    /// scale-in stay with the cycle. `psm simulate` credits the shadow policy's live trigger with the
    /// same delay (`--trigger-detection`, docs/simulation.md).
    ///
    /// Does nothing in a dry run, with `live = "cycle"`, or for a group without live demand.
    package func liveTrigger() async -> CycleReport {
        let now = clock.now()
        var report = CycleReport(time: now)
        guard configuration.liveTriggerEachCollection, !dryRun else { return report }
        let shadows: [ShadowRecord]
        do {
            shadows = try store.shadows(states: [.ready, .activating, .active])
        } catch {
            report.problems.append("live trigger: cannot read the shadows: \(error)")
            return report
        }
        var ready: [String: Int] = [:]
        var active: [String: Int] = [:]
        for s in shadows {
            switch s.state {
            case .ready: ready[s.group, default: 0] += 1
            case .activating, .active: active[s.group, default: 0] += 1
            default: break
            }
        }
        let activeUnits = activeShadowUnits(shadows)
        var inputs: [String: TriggerInput] = [:]
        for group in configuration.groups {
            guard let observed = demand[group.name], observed.value.isFinite, (ready[group.name] ?? 0) > 0 else { continue }
            let (running, _) = serving(group, activeShadows: active[group.name] ?? 0, shadowUnits: activeUnits[group.name] ?? 0)
            let input = TriggerInput(group: group.name, demand: observed.value, running: running,
                                     unit: Double(group.template.units), readyShadows: ready[group.name] ?? 0)
            let decision = ActivationTrigger.evaluate(input, policy: configuration.trigger, step: configuration.interval)
            guard decision.activate > 0 else { continue }
            inputs[group.name] = input
            report.triggers.append(decision)
        }
        await activate(report.triggers, inputs: inputs, now: now, into: &report)
        return report
    }

    /// Activates what `triggers` ask for, each VM with its share of the forecast over the
    /// activation horizon (the cycle's and the live trigger's one path).
    func activate(_ triggers: [TriggerDecision], inputs: [String: TriggerInput], now: Int64,
                  into report: inout CycleReport) async {
        // Read once for the pass: the store's host check per activation was most of a cycle
        // activating in hundreds of groups (docs/benchmarks.md, "The whole actuator cycle").
        guard triggers.contains(where: { $0.activate > 0 }) else { return }
        let down = Activator.downHosts(store)
        for trigger in triggers where trigger.activate > 0 {
            let target = inputs[trigger.group].flatMap { predictedTarget($0, count: trigger.activate) }
            for _ in 0..<trigger.activate {
                activationCounter += 1
                // A random part: an actuator restarted within the same second (or replaying the same
                // time) must not reuse the id of the activation it interrupted, which would return that
                // (rolled-back) record instead of activating (found by RealVMTests' restart case).
                let id = "auto-\(trigger.group)-\(now)-\(activationCounter)-\(UInt32.random(in: 0...UInt32.max))"
                do {
                    let record = try await activator.activate(group: trigger.group, activationID: id, target: target, down: down)
                    report.activations.append(record)
                    if let route = try? store.route(activation: id), route.state == .failed {
                        report.routing.unrouted.append(route.shadowID)
                        report.problems.append("group \(trigger.group): activation \(id) succeeded but routing \(route.server) failed (retried each cycle): \(route.error ?? "")")
                    }
                    metrics.recordActivation(record)
                    latencySamples.add(record)
                    ledger.recordActivation(group: trigger.group, servedUnits: servedUnits(record))
                } catch {
                    if let record = error.record {
                        report.activations.append(record)
                        metrics.recordActivation(record)
                    }
                    report.problems.append("group \(trigger.group): \(error)")
                    if error.kind == .noShadow { break }
                }
            }
        }
    }
}
