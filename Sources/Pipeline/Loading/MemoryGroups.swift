import Forecasting
import Foundation
import MetricStore
import ModelRegistry
import TimeSeries

/// The memory side of `psm train` (issue 14 item 4): every group whose memory the actuator's
/// collector keeps (`<group>/memory_mib` in `[actuator] store`) gets a memory model, trained by the
/// same `GroupTrainer` as the CPU models and published as registry group `<group>.memory_mib`
/// (`MemoryModelName`), so the CPU model's selection and CURRENT are never touched.
package enum MemoryGroups {
    /// The memory training groups read from the actuator's store, and the notes of the groups
    /// that get none (no collected history, no store yet, a name too long for the registry).
    /// Nothing at all without an `[actuator]` section (no store to read).
    package static func read(_ c: TrainingConfiguration, beside groups: [String]) -> (groups: [TrainingGroup], notes: [String]) {
        guard let path = c.actuatorStore.map(c.resolve) else { return ([], []) }
        var notes: [String] = []
        var series: [String: Series] = [:]
        if FileManager.default.fileExists(atPath: path) {
            do {
                let store = try MetricStore(path: path)
                for info in try store.listSeries() where info.metric == MemoryModelName.metric {
                    // Group sums only (`vm/<domain>/memory_mib` are per VM).
                    guard let group = info.group, info.key == MemoryModelName.seriesKey(of: group) else { continue }
                    if let s = try store.series(key: info.key), s.values.contains(where: \.isFinite) { series[group] = s }
                }
            } catch {
                notes.append("\(path): memory history not read (no memory models): \(error)")
                return ([], notes)
            }
        }
        var out: [TrainingGroup] = []
        for group in series.keys.sorted() {
            guard var s = series[group] else { continue }
            guard let name = MemoryModelName.registryGroup(of: group) else {
                notes.append("memory: group \(group): no memory model, \(group)\(MemoryModelName.suffix) is not a valid registry group name")
                continue
            }
            s.group = name
            out.append(TrainingGroup(name: name, inputs: [ForecastInput(series: s, season: c.season ?? ModelInputs.defaultSeason(s))]))
        }
        for group in groups where series[group] == nil && !group.hasSuffix(MemoryModelName.suffix) {
            notes.append("memory: group \(group): no collected memory history (\(MemoryModelName.seriesKey(of: group)) in \(path)); no memory model")
        }
        return (out, notes)
    }
}
