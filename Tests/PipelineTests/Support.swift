import Forecasting
import Foundation
import Pipeline
import TimeSeries

enum Fixture {
    /// A daily-cycle series (season 24) with a little deterministic noise.
    static func input(_ id: String, group: String?, count: Int, level: Double = 10, season: Int = 24) -> ForecastInput {
        let values = (0..<count).map { t in
            level + 3 * sin(2 * Double.pi * Double(t % season) / Double(season)) + Double((t * 7919) % 13) / 13
        }
        let grid = TimeGrid(axis: .time, start: 1_700_000_000, step: 3600, count: count)
        return ForecastInput(series: Series(id: id, grid: grid, values: values, group: group), season: season)
    }

    static func configuration(horizon: Int = 6, folds: Int = 3, candidates: [String] = ["seasonal-naive"]) -> TrainingConfiguration {
        var c = TrainingConfiguration(sources: [.init(path: "unused.csv")], horizon: horizon)
        c.folds = folds
        c.candidates = candidates
        c.calibrationMinimumSamples = 10
        return c
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "psm-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Fails to publish the groups it names (a full disk, a permissions problem), publishes the rest.
struct FailingPublisher: ModelPublisher {
    let failing: Set<String>
    let inner = MemoryPublisher()
    func publish(group: String, artifact: ModelArtifact) throws -> String {
        if failing.contains(group) { throw PipelineError("disk full while publishing \(group)") }
        return try inner.publish(group: group, artifact: artifact)
    }
}
