/// What training noticed about one series: its mean absolute observed value (`scale`, kept for
/// reports; since model format 2 every window is scaled by its own level, `LSTMWindowScale`), its
/// embedding row, and diagnostics for series that need special handling.
public struct LSTMSeriesScaling: Sendable, Hashable, Codable {
    public var seriesID: String
    /// The divisor applied to values (positive and finite).
    public var scale: Double
    /// Row of the embedding table, or nil when the model has none or did not train on the series.
    public var embeddingIndex: Int?
    /// The share of the network's median correction kept over the baseline, chosen on the series'
    /// held-out window (`LSTMHeldOut`); nil: none was chosen (files before it existed, no
    /// validation split), the model's pooled weight or 1 applies.
    package var blend: Double?

    public init(seriesID: String, scale: Double, embeddingIndex: Int? = nil) {
        self.seriesID = seriesID
        self.scale = scale
        self.embeddingIndex = embeddingIndex
    }

    /// Scaled inputs are clipped to ±this so that a single outlier cannot saturate every gate.
    static let inputLimit = 100.0
    /// Scaled targets are clipped to ±this so that the loss stays finite in Float.
    static let targetLimit = 1e4

    /// The scaling of `values`, with diagnostics for series that need special handling; nil when
    /// nothing is observed.
    static func fit(_ values: [Double], seriesID: String) -> (scaling: LSTMSeriesScaling, diagnostics: [String])? {
        var mean = 0.0, count = 0, nonFinite = 0
        var first = Double.nan, constant = true
        for y in values {
            if y.isNaN { continue }
            guard y.isFinite else { nonFinite += 1; continue }
            count += 1
            // A running mean cannot overflow even when values are near Double's limit.
            mean += (abs(y) - mean) / Double(count)
            if first.isNaN { first = y } else if y != first { constant = false }
        }
        guard count > 0 else { return nil }
        var diagnostics: [String] = []
        if nonFinite > 0 { diagnostics.append("\(nonFinite) infinite values treated as missing") }
        var scale = mean
        if !(scale > 0) || !scale.isFinite {
            diagnostics.append("all observed values are zero: scale set to 1")
            scale = 1
        } else if constant {
            diagnostics.append("series is constant (\(first)): the network sees a flat input")
        }
        var clipped = 0
        for y in values where y.isFinite && abs(y / scale) > inputLimit { clipped += 1 }
        if clipped > 0 {
            diagnostics.append("\(clipped) values above \(Int(inputLimit))× the mean absolute value clipped in the network's input")
        }
        return (LSTMSeriesScaling(seriesID: seriesID, scale: scale), diagnostics)
    }
}
