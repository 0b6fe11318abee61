import Actuator
import Calibration
import Forecasting
import Foundation
import Hypervisor
import ModelRegistry
import Pipeline
import Scaling
import TimeSeries

/// The benchmark's world: N groups on a 5-minute grid, each with a published model (seasonal
/// naive with a daily season of 288 steps, or an automatic ARIMA fitted by the training pipeline's
/// own code), calibrated with a residual-quantile table, and fed one new demand point per cycle.
///
/// Fitting 10,000 ARIMAs would take hours, so a few prototype series are fitted once and each
/// group publishes its own copy of its prototype's model files (every group still loads, verifies
/// and scores its own model). Registries are cached under the work directory by their parameters.
struct BenchFixture {
    static let step: Int64 = 300
    static let season = 288
    /// The grid origin of the training data (a multiple of the step).
    static let origin: Int64 = 1_699_999_800
    static let horizon = 12
    static let levels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]

    let groups: Int
    let prototypes: Int
    /// Percentage of groups served by an ARIMA (the rest seasonal naive).
    let arimaPercent: Int
    let trainSteps: Int
    let registry: URL

    /// `g`'s prototype series and model kind.
    func prototype(_ g: Int) -> Int { g % prototypes }
    func usesARIMA(_ g: Int) -> Bool { g % 100 < arimaPercent }
    static func name(_ g: Int) -> String { "g\(g)" }

    /// Demand of group `g` at absolute step `t` in capacity units: its prototype's daily cycle with
    /// a weekly swell, plus deterministic noise (the prototype's, and a little of the group's own).
    func demand(group g: Int, step t: Int) -> Double {
        let p = prototype(g)
        let level = 60 + 25 * Double(p)
        let day = sin(2 * Double.pi * Double(t + 37 * p) / Double(Self.season))
        let week = 0.1 * sin(2 * Double.pi * Double(t) / Double(7 * Self.season))
        return level * (1 + 0.35 * day + week) + level * (0.06 * Self.noise(UInt64(p), t) + 0.02 * Self.noise(UInt64(g) &+ 1_000_003, t))
    }

    /// Uniform in [−1, 1), a pure function of (key, t) (splitmix64).
    static func noise(_ key: UInt64, _ t: Int) -> Double {
        var z = key &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: Int64(t)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 52) - 1
    }

    /// The prototype's training series (series id = the group's name, set per group when publishing).
    func trainingValues(prototype p: Int) -> [Double] {
        (0..<trainSteps).map { demand(group: p, step: $0) }
    }

    /// A residual-quantile calibration table for the actuator's levels: 12 steps whose offsets
    /// widen with the step, as the training job's tables do (values in units of the forecast's σ).
    static func calibration() -> JSONValue {
        let z = levels.map(NormalDistribution.quantile)
        let steps: [JSONValue] = (1...horizon).map { h in
            .object(["step": .number(Double(h)), "offsets": .array(z.map { .number(0.05 * $0 * (1 + 0.02 * Double(h)) + 0.01) }),
                     "samples": 200, "pooledSamples": 200, "firstPooledStep": .number(Double(h)),
                     "lastPooledStep": .number(Double(h)), "clampedLevels": .array([])])
        }
        return .object(["method": "residual-quantile", "levels": .array(levels.map { .number($0) }), "minimumSamples": 30,
                        "steps": .array(steps), "skippedSamples": 0])
    }

    /// Publishes every group's model unless the registry already holds this fixture; returns the
    /// seconds spent (0 when cached).
    func prepareRegistry(log: (String) -> Void) throws -> Double {
        let marker = registry.deletingLastPathComponent().appendingPathComponent("fixture.txt")
        let signature = "groups=\(groups) prototypes=\(prototypes) arima=\(arimaPercent) train=\(trainSteps) v2"
        if (try? String(contentsOf: marker, encoding: .utf8)) == signature { return 0 }
        let started = Date()
        try? FileManager.default.removeItem(at: registry)
        try FileManager.default.createDirectory(at: registry, withIntermediateDirectories: true)
        let calibration = Self.calibration()
        let fitter = Pipeline.ModelCatalog(lstm: LSTMConfiguration())
        let reg = ModelRegistry(root: registry)
        for p in 0..<prototypes {
            let values = trainingValues(prototype: p)
            let grid = TimeGrid(axis: .time, start: Self.origin, step: Self.step, count: values.count)
            // Each kind once per prototype; the files are re-keyed per group below.
            var fitted: [String: [String: Data]] = [:]
            for kind in ["seasonal-naive", "arima"] where kind == "seasonal-naive" || arimaPercent > 0 {
                let t0 = Date()
                let input = ForecastInput(series: Series(id: "SERIES", grid: grid, values: values), season: Self.season)
                fitted[kind] = try fitter.fit(kind, inputs: [input], horizon: Self.horizon, levels: Self.levels).files
                log("prototype \(p): \(kind) fitted in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
            }
            for g in stride(from: p, to: groups, by: prototypes) {
                let kind = usesARIMA(g) ? "arima" : "seasonal-naive"
                let name = Self.name(g)
                var files: [String: Data] = [:]
                for (file, data) in fitted[kind] ?? [:] {
                    // The series id is a JSON key in both files: give each group its own.
                    files[file] = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"SERIES\"", with: "\"\(name)\"").utf8)
                }
                let hyper: JSONValue = .object([
                    "components": .array([.string(kind)]), "parameters": .object([:]),
                    "levels": .array(Self.levels.map { .number($0) }), "horizon": .number(Double(Self.horizon)),
                    "seasons": .object([name: .number(Double(Self.season))]),
                ])
                let manifest = ModelManifest(kind: kind, hyperParameters: hyper, trainingWindow: grid,
                                             calibration: .object([kind: calibration]))
                try reg.publish(group: name, manifest: manifest, files: files)
                if g % 1000 == p { log("published \(g + 1) of \(groups) models") }
            }
        }
        try signature.write(to: marker, atomically: true, encoding: .utf8)
        return Date().timeIntervalSince(started)
    }

    /// The actuator's configuration of group `g`: capacity units per shadow and running capacity
    /// vary so that pools range over the bounds.
    func groupConfiguration(_ g: Int) throws -> GroupConfiguration {
        let level = 60 + 25 * Double(prototype(g))
        let units = Int64(4 + g % 9)
        return GroupConfiguration(name: Self.name(g),
                                  template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 2_097_152), units: units),
                                  running: level * (1.3 + 0.1 * Double(g % 8)), bounds: try GroupBounds(minimum: 0, maximum: 10))
    }

    /// The actuator's configuration: its defaults (5-minute interval, 12 steps, 8 levels, c_miss 10,
    /// c_reserve 0.5, lead time 60 s, 900 s cooldown, bounds 0…10, no budget).
    func configuration(store: String) throws -> ActuatorConfiguration {
        let costs = try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120, interval: Double(Self.step))
        var c = ActuatorConfiguration(store: store, registry: registry.path, hosts: [],
                                      groups: try (0..<groups).map(groupConfiguration),
                                      sizing: try SizingPolicy(costs: costs), trigger: try TriggerPolicy())
        c.interval = Self.step
        c.horizon = Self.horizon
        c.levels = Self.levels
        return c
    }
}
