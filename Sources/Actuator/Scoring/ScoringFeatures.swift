import Features
import Forecasting
import TimeSeries

/// How a model version's components read the manifest's `FeatureSchema`: the columns each one
/// uses, checked against the schema once at load. Built only when some component has regressors,
/// so a model without features pays nothing for them at scoring time.
struct ScoringFeatures: Sendable {
    let schema: FeatureSchema
    /// The LSTM's feature columns as indices into the schema's columns, in the LSTM's order
    /// (empty: the LSTM, if any, reads none).
    let lstmColumns: [Int]

    /// Checks that every regressor column the components use is one the schema computes.
    /// `arima` maps series id → the exogenous column names its ARIMA was fitted with.
    /// Returns nil when no component reads a regressor.
    init?(schema: FeatureSchema?, axis: TimeAxis, arima: [String: [String]], lstm: LSTMModel?) throws(ScoringError) {
        let lstmNames = lstm?.features.names ?? []
        let arimaNames = arima.filter { !$0.value.isEmpty }
        guard !lstmNames.isEmpty || !arimaNames.isEmpty else { return nil }
        let needed = Set(lstmNames).union(arimaNames.values.joined())
        guard let schema else {
            throw ScoringError(.features, "the models use regressor columns \(needed.sorted()) but the manifest has no feature_schema "
                               + "to compute them from")
        }
        guard schema.axis == axis else {
            throw ScoringError(.features, "the feature schema is for a \(schema.axis.rawValue) axis, the training window's is \(axis.rawValue)")
        }
        let index = Dictionary(schema.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for (id, names) in arimaNames.sorted(by: { $0.key < $1.key }) {
            let missing = names.filter { index[$0] == nil }
            guard missing.isEmpty else {
                throw ScoringError(.features, "the ARIMA of series \(id) uses regressor columns \(missing) that the feature schema "
                                   + "does not compute (its columns: \(schema.columnNames)); columns read from the training CSV "
                                   + "have no future values in the actuator")
            }
        }
        var columns: [Int] = []
        for name in lstmNames {
            guard let c = index[name] else {
                throw ScoringError(.features, "the LSTM uses regressor column \(name) that the feature schema does not compute "
                                   + "(its columns: \(schema.columnNames))")
            }
            columns.append(c)
        }
        self.schema = schema
        lstmColumns = columns
    }

    /// The feature rows of `count` grid positions from `start` (the training path's code).
    func matrix(start: Int64, step: Int64, count: Int, seriesID: String, group: String,
                events: [Event]) throws(ScoringError) -> FeatureMatrix {
        try check(events, group: group, seriesID: seriesID)
        do {
            return try schema.matrix(for: TimeGrid(axis: schema.axis, start: start, step: step, count: count),
                                     seriesID: seriesID, group: group, events: events)
        } catch {
            throw ScoringError(.features, "feature rows from position \(start): \(error)", group: group, seriesID: seriesID)
        }
    }

    /// The LSTM's rows (its own column order) of a matrix.
    func lstmRows(_ m: FeatureMatrix) -> [[Double]] {
        (0..<m.rows).map { r in lstmColumns.map { m[r, $0] } }
    }

    /// An event a column of the schema would read but whose times lie beyond the positions
    /// features cover: it could never reach the model, which must not pass unnoticed.
    private func check(_ events: [Event], group: String, seriesID: String) throws(ScoringError) {
        let kinds = Set(schema.events.map(\.kind))
        guard !kinds.isEmpty else { return }
        for e in events where kinds.contains(e.kind) && e.scope.applies(toSeries: seriesID, group: group) {
            guard FeatureSchema.positionLimit.contains(e.start), FeatureSchema.positionLimit.contains(e.end) else {
                throw ScoringError(.features, "event \"\(e.name)\" (\(e.kind.rawValue), \(e.start)…\(e.end)) lies outside the "
                                   + "positions features cover (\(FeatureSchema.positionLimit)): it cannot reach the model",
                                   group: group, seriesID: seriesID)
            }
        }
    }

    /// The schema's event columns among `used` through which `event` changes the model's input
    /// (a column of its kind that gives it a non-zero value), with their largest lead and lag.
    func columns(carrying event: Event, among used: Set<String>) -> (names: [String], lead: Int64, lag: Int64) {
        var names: [String] = [], lead: Int64 = 0, lag: Int64 = 0
        for f in schema.events where used.contains(f.name) {
            guard let m = f.magnitude(of: event), m != 0 else { continue }
            names.append(f.name)
            lead = max(lead, f.lead)
            lag = max(lag, f.lag)
        }
        return (names, lead, lag)
    }

    /// The largest lead and lag of any event column: how far around a window events matter.
    var reach: (lead: Int64, lag: Int64) {
        (schema.events.map(\.lead).max() ?? 0, schema.events.map(\.lag).max() ?? 0)
    }
}
