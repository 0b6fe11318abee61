import Features
import Foundation
import TimeSeries

/// What a trained group hands to the registry: a manifest's sections (JSON) and the model files.
package struct ModelArtifact: Sendable {
    /// A candidate (`seasonal-naive`, `arima`, `ets`, `theta`, `lstm`) or `combination`.
    package var kind: String
    package var hyperParameters: Data
    package var featureSchema: FeatureSchema?
    package var trainingWindow: TimeGrid?
    /// Lower-case hex SHA-256 of the group's values (see `TrainingGroup.fingerprint`).
    package var dataFingerprint: String
    package var backtestMetrics: Data
    package var calibration: Data
    package var selection: Data
    package var files: [String: Data]
}

/// Where trained models go. `RegistryPublisher` writes them to the ModelRegistry; the
/// in-memory one keeps them for tests and dry runs.
package protocol ModelPublisher: Sendable {
    /// Publishes a new version of `group` and makes it current; returns the version's name.
    func publish(group: String, artifact: ModelArtifact) throws -> String
    /// Why `group` could never be published (checked before any training), or nil.
    func problem(group: String) -> String?
}

extension ModelPublisher {
    package func problem(group: String) -> String? { nil }
}

/// Keeps published artifacts in memory (dry runs, tests).
package final class MemoryPublisher: ModelPublisher, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String: [ModelArtifact]] = [:]
    package init() {}

    package func publish(group: String, artifact: ModelArtifact) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        stored[group, default: []].append(artifact)
        return "memory-\(stored[group, default: []].count)"
    }

    /// Everything published for `group`, oldest first.
    package func artifacts(group: String) -> [ModelArtifact] {
        lock.lock()
        defer { lock.unlock() }
        return stored[group] ?? []
    }
}
