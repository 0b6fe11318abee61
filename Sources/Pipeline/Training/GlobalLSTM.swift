import Features
import Forecasting
import Foundation
import TimeSeries

/// One LSTM network shared by several groups of a `psm train` run (`[models.lstm] scope =
/// "global"`, docs/lstm.md): the usable series of all of them, with the features each group's
/// own training attaches reduced to the columns every group computes, are pooled; a network is
/// trained once per cut-off and reused by every group that asks for it — the full-history fit
/// each group publishes (`before: nil`), and one fit per backtest cut-off time, trained on every
/// pooled series' points before that time, so no fold learns from another series' future.
///
/// Thread-safe: groups train concurrently; the first to ask for a cut-off trains it while the
/// others that ask for the same one wait for it.
final class GlobalLSTM: @unchecked Sendable {
    let configuration: LSTMConfiguration
    /// The pooled inputs (regressors reduced to `columns`, nil when there are none).
    let inputs: [ForecastInput]
    /// Regressor columns the network reads (those every pooled series has, in the first one's order).
    let columns: [String]
    /// The groups pooled (for the manifest and the report).
    let groups: [String]
    /// What pooling changed, for each group's notes.
    let notes: [String]

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var result: Result<(model: LSTMModel, diagnostics: [String: [String]])?, ForecastError>?
    }

    init(configuration: LSTMConfiguration, groups: [TrainingGroup]) {
        self.configuration = configuration
        self.groups = groups.map(\.name)
        let all = groups.flatMap(\.inputs)
        var common = all.first?.regressors?.names ?? []
        for input in all.dropFirst() {
            let names = Set(input.regressors?.names ?? [])
            common = common.filter { names.contains($0) }
        }
        columns = common
        let dropped = Set(all.flatMap { $0.regressors?.names ?? [] }).subtracting(common).sorted()
        notes = dropped.isEmpty ? [] : ["lstm: the network shared across groups reads the regressor columns every group has "
                                        + "(\(common.isEmpty ? "none" : common.joined(separator: ", "))); not read: "
                                        + dropped.joined(separator: ", ")]
        inputs = all.map { input in
            var input = input
            input.regressors = common.isEmpty ? nil : input.regressors?.selecting(common)
            return input
        }
    }

    /// The network trained on every pooled series' points before grid time `cutoff` (nil: the
    /// whole history), and the diagnostics per series id; nil when no series has a training window.
    func model(before cutoff: Int64?, horizon: Int, levels: [Double])
        throws(ForecastError) -> (model: LSTMModel, diagnostics: [String: [String]])? {
        let key = "\(cutoff.map { String($0) } ?? "all")|\(horizon)|\(levels)"
        lock.lock()
        let entry = entries[key] ?? Entry()
        entries[key] = entry
        lock.unlock()
        entry.lock.lock()
        defer { entry.lock.unlock() }
        if let result = entry.result { return try result.get() }
        let pool = cutoff.map { c in inputs.compactMap { $0.truncated(before: c) } } ?? inputs
        let result: Result<(model: LSTMModel, diagnostics: [String: [String]])?, ForecastError>
        do throws(ForecastError) {
            result = .success(try LSTMForecaster(configuration: configuration).fit(pool, horizon: horizon, levels: levels))
        } catch {
            result = .failure(error)
        }
        entry.result = result
        return try result.get()
    }

    /// The grid time just after the shortest of `inputs` (a fold's cut series): points before it
    /// are history for every one of them.
    static func cutoff(_ inputs: [ForecastInput]) -> Int64? {
        inputs.map { $0.series.grid.start + Int64($0.series.count) * $0.series.grid.step }.min()
    }

    /// One pool per list of group names (each list's groups share a network), keyed by group name.
    static func pools(_ groups: [TrainingGroup], sharing lists: [[String]], configuration: LSTMConfiguration)
        -> [String: GlobalLSTM] {
        var out: [String: GlobalLSTM] = [:]
        let byName = Dictionary(groups.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for names in lists {
            let members = names.compactMap { byName[$0] }.filter { !$0.inputs.isEmpty }
            guard !members.isEmpty else { continue }
            let pool = GlobalLSTM(configuration: configuration, groups: members)
            for g in members { out[g.name] = pool }
        }
        return out
    }
}

extension GroupTrainer {
    /// The trainer with its shared LSTM networks set up when `scope = "global"` and `lstm` is a
    /// candidate: one per list of `sharing` (group names), over those of `groups` it can train.
    func sharingLSTM(groups: [TrainingGroup], sharing: [[String]]) -> GroupTrainer {
        guard configuration.lstm.scope == .global, candidateNames.contains("lstm") else { return self }
        let prepared = groups.compactMap { g -> TrainingGroup? in
            var c = configuration
            c.bounds = c.bounds(for: g.name)
            guard case .ready(let p) = prepare(g, configuration: c) else { return nil }
            return TrainingGroup(name: g.name, inputs: p.usable)
        }
        var c = catalog.lstm
        c.reportsProgress = false
        c.threads = 1
        var out = self
        out.lstmPools = GlobalLSTM.pools(prepared, sharing: sharing, configuration: c)
        return out
    }
}

extension ForecastInput {
    /// The points before grid time `cutoff` (and their regressor rows); nil when none are.
    func truncated(before cutoff: Int64) -> ForecastInput? {
        let g = series.grid
        guard g.step > 0 else { return nil }
        let n = Int(max(0, min(Int64(series.count), (cutoff - g.start + g.step - 1) / g.step)))
        guard n > 0 else { return nil }
        var out = self
        out.series.values = Array(series.values.prefix(n))
        out.series.grid = TimeGrid(axis: g.axis, start: g.start, step: g.step, count: n)
        out.regressors = regressors?.prefix(rows: n)
        return out
    }
}

extension FeatureMatrix {
    /// The columns `names` of the matrix, in that order; nil when one is missing.
    func selecting(_ names: [String]) -> FeatureMatrix? {
        guard names != self.names else { return self }
        let index = names.compactMap { n in self.names.firstIndex(of: n) }
        guard index.count == names.count else { return nil }
        var values: [Double] = []
        values.reserveCapacity(rows * names.count)
        for r in 0..<rows {
            let row = self.row(r)
            for c in index { values.append(row[row.startIndex + c]) }
        }
        return FeatureMatrix(rows: rows, columns: names.count, names: names, values: values)
    }
}
