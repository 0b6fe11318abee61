import Features
import Foundation
import Hypervisor
import MetricStore
import PSMConfiguration
import Scaling
import TOMLKit

extension ActuatorConfiguration {
    /// Seconds between decision cycles: at most a day.
    static let intervalRange = 1...86_400
    /// Shadows in one group's pool (min, max, max_decrease).
    static let poolRange = 0...100_000

    /// Reads the `[actuator]` section of a psm.toml (other sections belong to `psm train`, except
    /// `[registry] dir`, the default model registry). Relative paths resolve against the file's directory.
    public static func load(path: String) throws(ConfigurationError) -> ActuatorConfiguration {
        try read(PSMFile.read(path))
    }

    public static func parse(_ text: String, fileName: String, baseDirectory: String = ".") throws(ConfigurationError) -> ActuatorConfiguration {
        try read(PSMFile(text: text, file: fileName, directory: baseDirectory))
    }

    /// The `[actuator]` section (and `[registry] dir`) of a psm.toml.
    static func read(_ file: PSMFile) throws(ConfigurationError) -> ActuatorConfiguration {
        let top = file.root
        let baseDirectory = file.directory
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : "\(baseDirectory)/\(p)" }
        let a = try top.section("actuator")
        guard a.table != nil else { throw top.error(.missingKey, key: "actuator", "required: an [actuator] section") }
        try a.rejectUnknown(["store", "store_durability", "id", "lease", "registry", "interval", "hypervisor", "boot_grace", "host_grace", "cpu_allocation_ratio", "max_actions", "horizon", "levels", "monitoring_file",
                             "costs", "sizing", "trigger", "cost_loop", "collect", "scrape", "hosts", "groups", "routing"])
        let registryDir = try top.section("registry").string("dir")
        guard let registry = try a.string("registry") ?? registryDir else {
            throw a.error(.missingKey, key: "registry", "required: the model registry directory (or [registry] dir)")
        }
        let store = try a.string("store") ?? "psm-actuator.sqlite"

        let c = try a.section("costs")
        try c.rejectUnknown(["miss", "reserve", "launch_delay", "memory", "run"])
        let costs: CostModel
        do {
            costs = try CostModel(missCost: try c.number("miss", from: 0, to: 1e9, lowerExclusive: true) ?? 10, reserveCost: try c.number("reserve", from: 0, to: 1e9, lowerExclusive: true) ?? 0.5,
                                  launchDelay: try c.number("launch_delay", from: 0, to: 86_400, lowerExclusive: true) ?? 120,
                                  interval: Double(try a.int("interval", in: Self.intervalRange) ?? 300))
        } catch let e as ConfigurationError { throw e } catch {
            throw c.error(.invalidValue, key: "", "\(error)")
        }
        let s = try a.section("sizing")
        try s.rejectUnknown(["lead_time", "lead_window", "learning_rate", "budget", "min", "max", "cooldown", "max_decrease"])
        let windowText = try s.string("lead_window") ?? LeadWindow.maximum.rawValue
        guard let leadWindow = LeadWindow(rawValue: windowText) else {
            throw s.error(.invalidValue, key: "lead_window", "expected \"maximum\" or \"largest-step\", got \"\(windowText)\"")
        }
        let t = try a.section("trigger")
        try t.rejectUnknown(["utilisation", "activation_lead_time", "forecast_level", "live"])
        let liveText = try t.string("live") ?? "collection"
        guard liveText == "collection" || liveText == "cycle" else {
            throw t.error(.invalidValue, key: "live", "expected \"collection\" or \"cycle\", got \"\(liveText)\"")
        }
        let sizing: SizingPolicy
        let trigger: TriggerPolicy
        let defaultBounds: GroupBounds
        do {
            defaultBounds = try GroupBounds(minimum: try s.int("min", in: Self.poolRange) ?? 0, maximum: try s.int("max", in: Self.poolRange) ?? 10)
            sizing = try SizingPolicy(costs: costs, leadTime: Int64(try s.int("lead_time", in: 0...86_400) ?? 60),
                                      hysteresis: try HysteresisPolicy(cooldown: Int64(try s.int("cooldown", in: 0...604_800) ?? 900),
                                                                       maximumDecrease: try s.int("max_decrease", in: 1...Self.poolRange.upperBound) ?? 1),
                                      budget: try s.int("budget", in: 0...1_000_000), defaultBounds: defaultBounds,
                                      learningRate: try s.number("learning_rate", from: 0, to: 1) ?? 0.005,
                                      leadWindow: leadWindow)
            let level = try t.number("forecast_level", from: 0, to: 1, lowerExclusive: false)
            trigger = try TriggerPolicy(utilisationThreshold: try t.number("utilisation", from: 0, to: 10, lowerExclusive: true) ?? 0.8,
                                        activationLeadTime: Int64(try t.int("activation_lead_time", in: 0...86_400) ?? 60),
                                        forecastLevel: level == 0 ? nil : (level ?? 0.5))
        } catch let e as ConfigurationError { throw e } catch {
            throw a.error(.invalidValue, key: "sizing/trigger", "\(error)")
        }

        var hosts: [HostConfig] = []
        if let array = a.table?["hosts"] {
            guard let list = array.array else { throw a.error(.wrongType, key: "hosts", "expected [[actuator.hosts]] tables") }
            for (i, element) in list.enumerated() {
                let h = TOMLSection(file: file.path, name: "actuator.hosts[\(i + 1)]", table: element.table)
                guard h.table != nil else { throw h.error(.wrongType, key: "", "expected a table") }
                try h.rejectUnknown(["name", "uri", "vcpus", "memory_mib", "units", "enabled", "free_memory"])
                // vcpus and memory_mib cap what the host measures; absent: no cap.
                guard let name = try h.string("name") else { throw h.error(.missingKey, key: "name", "required") }
                let uri = try h.string("uri") ?? "test:///default"
                guard !uri.allSatisfy(\.isWhitespace) else {
                    throw h.error(.invalidValue, key: "uri", "empty: name the host's libvirt URI (e.g. qemu+ssh://host/system)")
                }
                hosts.append(HostConfig(name: name, uri: uri,
                                        capVCPUs: try h.int("vcpus", in: 0...1_000_000).map(Int64.init),
                                        capMemoryMiB: try h.int("memory_mib", in: 0...1_073_741_824).map(Int64.init),
                                        units: Int64(try h.int("units", in: 0...1_000_000_000) ?? 1000),
                                        enabled: try h.bool("enabled") ?? true))
                hosts[hosts.count - 1].usesFreeMemory = try h.bool("free_memory")
            }
        }
        if hosts.isEmpty {
            let uri = try a.string("hypervisor") ?? "test:///default"
            guard !uri.allSatisfy(\.isWhitespace) else {
                throw a.error(.invalidValue, key: "hypervisor", "empty: name a libvirt URI (e.g. qemu:///system or test:///default)")
            }
            hosts = [HostConfig(name: "local", uri: uri, capVCPUs: nil, capMemoryMiB: nil, units: 1000)]
        }
        // vCPUs the hosts may promise per CPU they measure (as OpenStack's cpu_allocation_ratio).
        let ratio = try a.number("cpu_allocation_ratio", from: 1, to: 64) ?? 1
        for k in hosts.indices { hosts[k].cpuAllocationRatio = ratio }
        guard Set(hosts.map(\.name)).count == hosts.count else {
            throw a.error(.invalidValue, key: "hosts", "host names must be unique")
        }

        var groups: [GroupConfiguration] = []
        var bounds: [String: GroupBounds] = [:]
        guard let groupArray = a.table?["groups"]?.array, !groupArray.isEmpty else {
            throw a.error(.missingKey, key: "groups", "required: at least one [[actuator.groups]] with name and unit")
        }
        for (i, element) in groupArray.enumerated() {
            let g = TOMLSection(file: file.path, name: "actuator.groups[\(i + 1)]", table: element.table)
            guard g.table != nil else { throw g.error(.wrongType, key: "", "expected a table") }
            try g.rejectUnknown(["name", "series", "unit", "vcpus", "memory_mib", "baseline_vcpu_fraction",
                                 "baseline_memory_fraction", "park", "running", "min", "max", "demand_metric", "units_per_metric", "members"]
                                + GuestSettings.keys)
            guard let name = try g.string("name"), !name.isEmpty else { throw g.error(.missingKey, key: "name", "required") }
            guard let unit = try g.number("unit", from: 0, to: 1_000_000, lowerExclusive: true) else {
                throw g.error(.missingKey, key: "unit", "required: capacity units one shadow adds, a number > 0")
            }
            let parkText = try g.string("park") ?? "pause"
            // "auto": chosen each cycle (ParkChoice); shadows start as "pause" until the first choice.
            guard let park = parkText == "auto" ? ParkMode.pause : ParkMode(rawValue: parkText) else {
                throw g.error(.invalidValue, key: "park", "expected \"pause\", \"save\" or \"auto\", got \"\(parkText)\"")
            }
            let full = ResourceSize(vcpus: try g.int("vcpus", in: 1...1_024) ?? 2,
                                    memoryKiB: UInt64(try g.int("memory_mib", in: 16...16_777_216) ?? 2048) * 1024)
            let policy = BaselinePolicy(vcpuFraction: try g.number("baseline_vcpu_fraction", from: 0, to: 1, lowerExclusive: true) ?? 0.5,
                                        memoryFraction: try g.number("baseline_memory_fraction", from: 0, to: 1, lowerExclusive: true) ?? 0.25)
            let b: GroupBounds
            do {
                b = try GroupBounds(minimum: try g.int("min", in: Self.poolRange) ?? defaultBounds.minimum,
                                    maximum: try g.int("max", in: Self.poolRange) ?? defaultBounds.maximum)
            } catch let e as ConfigurationError { throw e } catch {
                throw g.error(.invalidValue, key: "min/max", "\(error)")
            }
            let running = try g.number("running", from: 0, to: 1e9) ?? 0
            let upm = try g.number("units_per_metric", from: 0, to: 1e9, lowerExclusive: true) ?? 1
            bounds[name] = b
            var members: [String] = []
            if g.table?["members"]?.type == .string { members = [try g.string("members") ?? ""] }
            else { members = try g.strings("members") ?? [] }
            guard members.allSatisfy({ !$0.isEmpty && $0 != MemberPattern.tagPrefix }) else {
                throw g.error(.invalidValue, key: "members",
                              "expected a domain-name glob such as \"web-*\" or a metadata tag such as \"tag:web\" (or a list of them)")
            }
            let guest = try GuestSettings(g, resolve: resolve)
            var group = GroupConfiguration(name: name, series: try g.string("series"),
                                           template: guest.apply(to: ShadowTemplate(full: full, baselinePolicy: policy,
                                                                                    units: Int64(unit.rounded(.up)), park: park)),
                                           running: running, bounds: b,
                                           demandMetric: try g.string("demand_metric") ?? "demand_units",
                                           unitsPerMetric: upm)
            group.members = members.map(MemberPattern.init)
            group.runningConfigured = g.table?["running"] != nil || members.isEmpty
            group.autoPark = parkText == "auto"
            groups.append(group)
        }
        guard Set(groups.map(\.name)).count == groups.count else {
            throw a.error(.invalidValue, key: "groups", "group names must be unique")
        }
        var sized = sizing
        sized.bounds = bounds
        var config = ActuatorConfiguration(store: ActuatorConfiguration.isPostgresURL(store) ? store : resolve(store), registry: resolve(registry), hosts: hosts, groups: groups,
                                           sizing: sized, trigger: trigger)
        config.interval = Int64(try a.int("interval", in: Self.intervalRange) ?? 300)
        config.horizon = try a.int("horizon", in: 1...10_000) ?? 12
        if let levels = try a.numbers("levels") {
            guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }) else {
                throw a.error(.invalidValue, key: "levels", "expected quantile levels strictly between 0 and 1")
            }
            config.levels = levels.sorted()
        }
        config.bootGrace = Int64(try a.int("boot_grace", in: 0...3_600) ?? 0)
        config.hostGrace = try Self.seconds(a, "host_grace", in: 0...86_400) ?? 90
        if let id = try a.string("id") {
            guard !id.isEmpty, id.count <= 200, !id.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw a.error(.invalidValue, key: "id", "expected a name of 1 to 200 characters without spaces, got \"\(id)\"")
            }
            config.actuatorID = id
        }
        config.leaseSeconds = try Self.seconds(a, "lease", in: 2...3_600)
        if let durability = try a.string("store_durability") {
            guard let chosen = ["process": MetricStore.Durability.process, "power-loss": .powerLoss][durability] else {
                throw a.error(.invalidValue, key: "store_durability", "expected \"process\" or \"power-loss\", not \"\(durability)\"")
            }
            config.storeDurability = chosen
        }
        config.maximumActions = try a.int("max_actions", in: 1...10_000) ?? 20
        config.memoryCost = try c.number("memory", from: 0, to: 1e9)
        config.monitoringFile = try a.string("monitoring_file").map(resolve)
        // The calendar `psm train` built the models' event features from (its `[calendar] file`).
        config.calendarFile = try top.section("calendar").string("file").map(resolve)
        let collect = try a.section("collect")
        try collect.rejectUnknown(["interval", "retention", "timeout"])
        config.collect.interval = Int64(try collect.int("interval", in: 1...3_600) ?? 10)
        config.liveTriggerEachCollection = liveText == "collection"
        // c_run: with it, the trigger activates ahead at the cost level when that is above
        // forecast_level (AheadLevel); a miss waits for the live trigger: one collection with
        // live = "collection", one cycle with "cycle".
        config.runCost = try c.number("run", from: 0, to: 1e9, lowerExclusive: true)
        if let run = config.runCost, let floor = trigger.forecastLevel {
            let wait = config.liveTriggerEachCollection ? config.collect.interval : config.interval
            let ahead = AheadLevel(costs: costs, runCost: run, wait: Double(wait), floor: floor)
            config.aheadLevel = ahead
            config.trigger.forecastLevel = ahead.level
        }
        config.collect.retention = Int64(try collect.int("retention", in: 3_600...315_360_000) ?? 7 * 86_400)
        config.collect.timeout = try collect.number("timeout", from: 0, to: 600, lowerExclusive: true) ?? 5
        config.scrape = try ScrapeTarget.parse(a, groups: groups.map(\.name), defaultTimeout: config.collect.timeout)
        let l = try a.section("cost_loop")
        try l.rejectUnknown(["window", "scale_in_utilisation", "scale_in_window"])
        config.costWindow = Int64(try l.int("window", in: 1...31_536_000) ?? 86_400)
        config.scaleInUtilisation = try l.number("scale_in_utilisation", from: 0, to: 1) ?? 0.3
        config.scaleInWindow = Int64(try l.int("scale_in_window", in: 0...604_800) ?? 1800)
        config.routing = try RoutingConfiguration.parse(a, resolve: resolve)
        return config
    }

    /// A duration key: integer seconds, or a string of a number and a unit (`"90s"`, `"5m"`, `"1h"`).
    static func seconds(_ section: TOMLSection, _ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int64? {
        guard let value = section.table?[key] else { return nil }
        let expected = "expected seconds from \(range.lowerBound) to \(range.upperBound), as an integer or a string such as \"90s\", \"5m\" or \"1h\""
        if value.type == .int { return Int64(try section.int(key, in: range) ?? 0) }
        guard let text = try section.string(key), let unit = text.last else { throw section.error(.wrongType, key: key, expected) }
        let scale: Int? = ["s": 1, "m": 60, "h": 3600][String(unit)]
        guard let scale, let n = Int(text.dropLast()), n >= 0, n <= range.upperBound / scale, range.contains(n * scale) else {
            throw section.error(.invalidValue, key: key, "\(expected), got \"\(text)\"")
        }
        return Int64(n * scale)
    }
}
