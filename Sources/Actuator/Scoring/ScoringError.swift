import Forecasting
import ModelRegistry

/// Why a group's model cannot score, or cannot score a given series.
public struct ScoringError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// The manifest's kind (or a combination's component) is not one this scorer knows.
        case unknownKind
        /// A model file is missing or does not decode.
        case invalidArtifact
        /// The series is not one the model was trained for.
        case unknownSeries
        /// Positions off the model's grid, or a forecast request the model cannot serve.
        case invalidRequest
        /// The model needs something this scorer does not provide.
        case unsupported
        /// The model's regressors and its feature schema disagree, or a feature row cannot be
        /// computed (an event beyond the positions features cover, …).
        case features
        /// The forecasting engine failed (no observed values, numerical failure, …).
        case forecast
        /// The registry refused the version (checksum, missing file, no CURRENT, …).
        case registry
        /// The catalog serves no model for the group.
        case noModel
    }

    public let code: Code
    public let message: String
    public let group: String?
    public let seriesID: String?

    package init(_ code: Code, _ message: String, group: String? = nil, seriesID: String? = nil) {
        self.code = code
        self.message = message
        self.group = group
        self.seriesID = seriesID
    }

    public var description: String {
        var where_ = [String]()
        if let group { where_.append("group \(group)") }
        if let seriesID { where_.append("series \(seriesID)") }
        return (where_.isEmpty ? "" : where_.joined(separator: ", ") + ": ") + message
    }

    static func from(_ error: ForecastError, group: String, seriesID: String) -> ScoringError {
        ScoringError(error.code == .invalidRequest ? .invalidRequest : .forecast, error.message, group: group, seriesID: seriesID)
    }

    static func from(_ error: RegistryError) -> ScoringError {
        ScoringError(.registry, error.description, group: error.group)
    }
}
