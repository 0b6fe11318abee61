import Foundation
import ModelRegistry

/// Publishes trained groups into a `ModelRegistry` (atomic: temp dir, fsync, rename, pointer
/// swap), then keeps the newest `keep` versions. A crash anywhere before the pointer swap leaves
/// the previous CURRENT version serving.
package struct RegistryPublisher: ModelPublisher {
    package let registry: ModelRegistry
    /// Newest versions kept per group after each publish (the one in service is always kept).
    package let keep: Int

    package init(registry: ModelRegistry, keep: Int) {
        self.registry = registry
        self.keep = keep
    }

    package func problem(group: String) -> String? {
        RegistryNames.isValidGroup(group) ? nil
            : "group name \"\(group)\" cannot be a model directory (1–128 characters of A–Z a–z 0–9 . _ -, "
            + "not starting with a dot); name the group with { path = …, group = \"…\" } in [data] inputs"
    }

    package func publish(group: String, artifact: ModelArtifact) throws -> String {
        let decoder = JSONDecoder()
        func section(_ data: Data) throws -> JSONValue { try decoder.decode(JSONValue.self, from: data) }
        let manifest = ModelManifest(
            kind: artifact.kind, hyperParameters: try section(artifact.hyperParameters),
            featureSchema: artifact.featureSchema, trainingWindow: artifact.trainingWindow,
            dataFingerprint: artifact.dataFingerprint, backtestMetrics: try section(artifact.backtestMetrics),
            calibration: try section(artifact.calibration), selection: try section(artifact.selection))
        let version = try registry.publish(group: group, manifest: manifest, files: artifact.files)
        // Retention is housekeeping: the new version already serves, so a failure here must not
        // turn the group into a failure (the next run retries it).
        _ = try? registry.retain(group: group, keep: keep)
        return version.id
    }
}
