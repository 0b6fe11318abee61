import Foundation

/// The regression columns of a specification for a run of consecutive steps: trend, the caller's
/// exogenous columns, then Fourier terms. Built from absolute step indices so that training and
/// scoring see identical rows.
struct ARIMADesign: Sendable, Hashable, Codable {
    var trend: ARIMATrend
    var exogenousCount: Int
    var fourier: [ARIMAFourier]
    /// The step index of the first training observation; the drift column is index − origin.
    var origin: Int64

    init(_ spec: ARIMASpecification, origin: Int64) {
        trend = spec.trend
        exogenousCount = spec.exogenous.count
        fourier = spec.fourier
        self.origin = origin
    }

    /// Harmonics whose sine is identically zero on integer steps (2k = period) have only a cosine.
    static func hasSine(_ f: ARIMAFourier, harmonic k: Int) -> Bool { Double(2 * k) != f.period }

    var columnCount: Int {
        var count = (trend == .none ? 0 : 1) + exogenousCount
        for f in fourier where f.harmonics > 0 { for k in 1...f.harmonics { count += Self.hasSine(f, harmonic: k) ? 2 : 1 } }
        return count
    }

    /// Rows for step indices first, first+1, …, first+count−1; `exogenous` is count×exogenousCount row-major.
    func rows(first: Int64, count: Int, exogenous: [Double]) -> [Double] {
        let k = columnCount
        var out = [Double](repeating: 0, count: count * k)
        for r in 0..<count {
            let index = first + Int64(r)
            var c = r * k
            switch trend {
            case .none: break
            case .constant: out[c] = 1; c += 1
            case .drift: out[c] = Double(index - origin); c += 1
            }
            for j in 0..<exogenousCount { out[c] = exogenous[r * exogenousCount + j]; c += 1 }
            for f in fourier where f.harmonics > 0 {
                for h in 1...f.harmonics {
                    // Reduce k·i modulo the period before scaling, so large indices keep precision.
                    var phase = fmod(Double(h) * Double(index), f.period)
                    if phase < 0 { phase += f.period }
                    let angle = 2 * Double.pi * phase / f.period
                    if Self.hasSine(f, harmonic: h) { out[c] = sin(angle); c += 1 }
                    out[c] = cos(angle); c += 1
                }
            }
        }
        return out
    }
}
