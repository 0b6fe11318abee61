import Features
import Foundation
import TimeSeries

/// The `manifest.json` of one model version: what the model is, what it was trained on, how well
/// it did, and the SHA-256 of every other file in its directory.
///
/// Sections later stages fill with their own types (hyper-parameters, backtest metrics, calibration
/// tables, the model-selection record) are `JSONValue`, so this target stays free of them.
public struct ModelManifest: Sendable, Hashable, Codable {
    /// The manifest layout this build writes and the only one it reads; bumped on incompatible change.
    package static let currentSchemaVersion = 1
    /// Written into `psm_version` when the caller does not say otherwise.
    public static let defaultPSMVersion = "0.1.0-dev"

    /// Size and digest of one parameter file.
    package struct FileEntry: Sendable, Hashable, Codable {
        /// Lower-case hex SHA-256 of the file's bytes.
        package var sha256: String
        public var bytes: Int

        public init(sha256: String, bytes: Int) {
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    package var schemaVersion: Int
    /// The forecaster that reads the files: `seasonal-naive`, `arima`, `lstm`, …
    public var kind: String
    public var hyperParameters: JSONValue
    /// The feature columns the model was trained with, recomputed identically at scoring time.
    package var featureSchema: FeatureSchema?
    /// The grid of the training data (axis, first position, step, count).
    public var trainingWindow: TimeGrid?
    /// A digest of the training data, to tell whether a retrain saw new data.
    package var dataFingerprint: String?
    package var backtestMetrics: JSONValue
    public var calibration: JSONValue
    /// Why this model was chosen among the candidates (scores, rules); empty when not selected.
    package var selection: JSONValue
    /// Every other file of the version directory; filled in by `ModelRegistry.publish`.
    package internal(set) var files: [String: FileEntry]
    /// Unix seconds (UTC) of publication; set by `ModelRegistry.publish` from its clock.
    package internal(set) var createdAt: Int64
    package var psmVersion: String

    /// A manifest to publish; `files` and `createdAt` are filled in by `ModelRegistry.publish`.
    public init(kind: String, hyperParameters: JSONValue = .null, featureSchema: FeatureSchema? = nil,
                trainingWindow: TimeGrid? = nil, dataFingerprint: String? = nil, backtestMetrics: JSONValue = .null,
                calibration: JSONValue = .null, selection: JSONValue = .null,
                psmVersion: String = ModelManifest.defaultPSMVersion) {
        self.schemaVersion = Self.currentSchemaVersion
        self.kind = kind
        self.hyperParameters = hyperParameters
        self.featureSchema = featureSchema
        self.trainingWindow = trainingWindow
        self.dataFingerprint = dataFingerprint
        self.backtestMetrics = backtestMetrics
        self.calibration = calibration
        self.selection = selection
        self.files = [:]
        self.createdAt = 0
        self.psmVersion = psmVersion
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, hyperParameters = "hyper_parameters"
        case featureSchema = "feature_schema", trainingWindow = "training_window"
        case dataFingerprint = "data_fingerprint", backtestMetrics = "backtest_metrics", calibration, selection
        case files, createdAt = "created_at", psmVersion = "psm_version"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion == Self.currentSchemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: c,
                debugDescription: "schema version \(schemaVersion) is not supported (this build reads \(Self.currentSchemaVersion))")
        }
        kind = try c.decode(String.self, forKey: .kind)
        hyperParameters = try c.decodeIfPresent(JSONValue.self, forKey: .hyperParameters) ?? .null
        featureSchema = try c.decodeIfPresent(FeatureSchema.self, forKey: .featureSchema)
        trainingWindow = try c.decodeIfPresent(TimeGrid.self, forKey: .trainingWindow)
        if let grid = trainingWindow, grid.step <= 0 || grid.count < 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .trainingWindow, in: c,
                debugDescription: "training window step \(grid.step) must be positive and count \(grid.count) not negative")
        }
        dataFingerprint = try c.decodeIfPresent(String.self, forKey: .dataFingerprint)
        backtestMetrics = try c.decodeIfPresent(JSONValue.self, forKey: .backtestMetrics) ?? .null
        calibration = try c.decodeIfPresent(JSONValue.self, forKey: .calibration) ?? .null
        selection = try c.decodeIfPresent(JSONValue.self, forKey: .selection) ?? .null
        files = try c.decode([String: FileEntry].self, forKey: .files)
        let created = try c.decode(String.self, forKey: .createdAt)
        guard let parsed = Timestamp.parse(created) else {
            throw DecodingError.dataCorruptedError(
                forKey: .createdAt, in: c, debugDescription: "created_at '\(created)' is not an ISO 8601 time")
        }
        createdAt = parsed.seconds
        psmVersion = try c.decode(String.self, forKey: .psmVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(kind, forKey: .kind)
        try c.encode(hyperParameters, forKey: .hyperParameters)
        try c.encodeIfPresent(featureSchema, forKey: .featureSchema)
        try c.encodeIfPresent(trainingWindow, forKey: .trainingWindow)
        try c.encodeIfPresent(dataFingerprint, forKey: .dataFingerprint)
        try c.encode(backtestMetrics, forKey: .backtestMetrics)
        try c.encode(calibration, forKey: .calibration)
        try c.encode(selection, forKey: .selection)
        try c.encode(files, forKey: .files)
        try c.encode(Timestamp.format(createdAt), forKey: .createdAt)
        try c.encode(psmVersion, forKey: .psmVersion)
    }

    /// The exact bytes written to `manifest.json`: sorted keys, so equal manifests hash equally.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
