/// The psm.toml the demo writes (both modes): its training and actuator sections, and one
/// `[[actuator.groups]]` table per group.
struct DemoConfiguration {
    struct Group {
        var name: String
        var memoryMiB: Int
        /// Extra keys of the group's table (the real guest's kernel, fractions…), written as given.
        var extra: [String] = []
    }

    var comment: String
    var hypervisor: String
    var groups: [Group]
    /// `[backtest]` and `[calibration]` keys beyond the defaults.
    var backtest: [String]
    var calibration: [String] = []
    /// `[actuator]` keys beyond store, interval and hypervisor.
    var actuator: [String] = []
    /// `[actuator.sizing]` min and max.
    var sizingMin: Int?
    var sizingMax: Int

    var text: String {
        var lines = ["# \(comment)",
                     "[data]", "inputs = [\"train.csv\"]", "aggregation = \"max\"", "fill = \"linear:3\"", "",
                     "[forecast]", "horizon = 12", "",
                     "[backtest]"] + backtest + [""]
        if !calibration.isEmpty { lines += ["[calibration]"] + calibration + [""] }
        lines += ["[models]", "candidates = [\"seasonal-naive\", \"arima\"]", "",
                  "[registry]", "dir = \"Models\"", "",
                  "[report]", "dir = \"reports\"", "",
                  "[actuator]", "store = \"actuator.sqlite\"", "interval = 300", "hypervisor = \"\(hypervisor)\""]
            + actuator + [""]
        lines += ["[actuator.costs]", "miss = 10", "reserve = 0.5", "launch_delay = 120", "",
                  "[actuator.sizing]", "lead_time = 60"] + (sizingMin.map { ["min = \($0)"] } ?? [])
            + ["max = \(sizingMax)", "cooldown = 900", "",
               "[actuator.trigger]", "utilisation = 0.8", "activation_lead_time = 300", ""]
        for g in groups {
            lines += ["[[actuator.groups]]", "name = \"\(g.name)\"", "unit = 10", "vcpus = 2",
                      "memory_mib = \(g.memoryMiB)", "running = 50"] + g.extra + [""]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
