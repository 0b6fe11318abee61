import Features

/// The regressor columns a model was trained with and the divisor of each (its maximum absolute
/// value in training), so that scoring sees features on the training scale.
public struct LSTMFeatureScaling: Sendable, Hashable, Codable {
    public var names: [String]
    public var scales: [Double]

    public init(names: [String], scales: [Double]) {
        self.names = names
        self.scales = scales
    }

    /// No regressors.
    public static let none = LSTMFeatureScaling(names: [], scales: [])

    /// Fits the divisors over every row of every matrix; a column that is all zero keeps 1.
    static func fit(_ matrices: [FeatureMatrix]) -> (scaling: LSTMFeatureScaling, nonFinite: Int) {
        guard let first = matrices.first else { return (.none, 0) }
        var scales = [Double](repeating: 0, count: first.columns)
        var nonFinite = 0
        for m in matrices {
            for (i, v) in m.values.enumerated() {
                if v.isFinite { scales[i % m.columns] = max(scales[i % m.columns], abs(v)) } else { nonFinite += 1 }
            }
        }
        return (LSTMFeatureScaling(names: first.names, scales: scales.map { $0 > 0 && $0.isFinite ? $0 : 1 }), nonFinite)
    }

    /// The scaled value of column `c`; missing or infinite values become 0 (the column's "off").
    @inline(__always)
    func value(_ v: Double, column c: Int) -> Float {
        v.isFinite ? Float(v / scales[c]) : 0
    }
}
