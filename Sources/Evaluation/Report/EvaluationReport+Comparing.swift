/// `psm report`: backtests of the same series compared side by side.
extension EvaluationReport {
    /// Groups backtests by the set of series they scored (same data → compared side by side).
    package init(comparing backtests: [BacktestReport], title: String, createdAt: Int64, psmVersion: String,
                fanCharts: Int, historyTail: Int) {
        var order: [[String]] = [], members: [[String]: [BacktestReport]] = [:]
        for b in backtests {
            let key = b.series.map(\.seriesID).sorted()
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(b)
        }
        var notes: [String] = []
        var seen: [String: [String]] = [:]
        for b in backtests { seen[b.model, default: []].append(b.model) }
        if seen.values.contains(where: { $0.count > 1 }) && order.count == 1 {
            notes.append("the same model appears in more than one backtest of the same data; each is listed separately")
        }
        let groups = order.map { key in
            GroupEvaluation(group: Self.groupName(key), backtests: members[key] ?? [], fanCharts: fanCharts, historyTail: historyTail)
        }
        self.init(title: title, createdAt: createdAt, psmVersion: psmVersion, groups: groups, notes: notes)
    }

    /// A group's name from its series: the id itself for one series, else the count and the first ids.
    static func groupName(_ ids: [String]) -> String {
        switch ids.count {
        case 0: return "no series"
        case 1: return ids[0]
        case 2...3: return ids.joined(separator: ", ")
        default: return "\(ids.count) series (\(ids.prefix(2).joined(separator: ", ")), …)"
        }
    }
}
