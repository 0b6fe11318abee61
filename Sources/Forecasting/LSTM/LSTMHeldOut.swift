/// The held-out check after training: the averaged members forecast the validation window of each
/// series (its last `horizon` points, which training never fitted), and from those forecasts
///
/// - each series' **blend weight** is chosen: the share `w` of the network's median correction
///   kept over the baseline (seasonal naive by default), from {0, ¼, ½, ¾, 1}, the one with the
///   least absolute error of the median over the window; every quantile is shifted by
///   `−(1 − w) × median`, so the spread is kept and the centre moves toward the baseline. A
///   series on which the network does worse than its baseline is forecast (mostly) by the baseline;
/// - the pooled weight (the same choice over every series' window together) serves series not
///   seen in training;
/// - the coverage of each trained level is measured with the weights applied.
struct LSTMHeldOut {
    /// The candidate weights, network first (a tie keeps more of the network).
    static let weights: [Double] = [1, 0.75, 0.5, 0.25, 0]

    /// Per validation item (index into `LSTMDataset.items`): targets (`horizon`, NaN = missing)
    /// and quantiles (`horizon × levels`), scaled residuals over the baseline.
    var rows: [(item: Int, targets: [Float], quantiles: [Float])] = []
    let quantileCount: Int
    let horizon: Int

    /// Given forecasts (tests).
    init(rows: [(item: Int, targets: [Float], quantiles: [Float])], quantileCount: Int, horizon: Int) {
        self.rows = rows
        self.quantileCount = quantileCount
        self.horizon = horizon
    }

    /// Runs `members` over the validation window of every item in `items`.
    init(_ data: LSTMDataset, items: [Int], workspace ws: LSTMWorkspace<Float>, members: [[Float]]) throws(ForecastError) {
        let q = ws.shape.quantileCount, h = ws.shape.horizon
        quantileCount = q
        horizon = h
        var start = 0
        while start < items.count {
            for b in 0..<ws.batch {
                let k = start + b
                if k < items.count, let origin = data.items[items[k]].validationOrigin {
                    data.fill(ws, row: b, item: items[k], origin: origin)
                } else {
                    data.fill(ws, row: b, item: nil, origin: 0)
                }
            }
            try ws.forwardEnsemble(members)
            for b in 0..<ws.batch where start + b < items.count && data.items[items[start + b]].validationOrigin != nil {
                rows.append((items[start + b], Array(UnsafeBufferPointer(start: ws.targets.pointer + b * h, count: h)),
                             Array(UnsafeBufferPointer(start: ws.quantiles.pointer + b * h * q, count: h * q))))
            }
            start += ws.batch
        }
    }

    /// Sum of |target − w × median| over one item's observed steps, per candidate weight.
    private func errors(_ row: (item: Int, targets: [Float], quantiles: [Float]), median m: Int) -> [Double] {
        var out = [Double](repeating: 0, count: Self.weights.count)
        for k in 0..<horizon where !row.targets[k].isNaN {
            let t = Double(row.targets[k]), med = Double(row.quantiles[k * quantileCount + m])
            for (i, w) in Self.weights.enumerated() { out[i] += abs(t - w * med) }
        }
        return out
    }

    private static func best(_ errors: [Double]) -> Double {
        var chosen = 0
        for i in errors.indices where errors[i] < errors[chosen] - 1e-12 { chosen = i }
        return weights[chosen]
    }

    /// The blend weight of each item with an observed target, and the pooled one; `median` is
    /// the index of level 0.5.
    func blendWeights(median m: Int) -> (items: [Int: Double], pooled: Double) {
        var perItem: [Int: Double] = [:], pooled = [Double](repeating: 0, count: Self.weights.count)
        for row in rows {
            let e = errors(row, median: m)
            guard row.targets.contains(where: { !$0.isNaN }) else { continue }
            perItem[row.item] = Self.best(e)
            for i in e.indices { pooled[i] += e[i] }
        }
        return (perItem, Self.best(pooled))
    }

    /// Per level, the share of observed targets at or below the quantile shifted by each item's
    /// blend weight (`weights[item]`, 1 when absent).
    func coverage(median m: Int?, weights: [Int: Double]) -> [Double] {
        var below = [Int](repeating: 0, count: quantileCount), observed = 0
        for row in rows {
            let w = weights[row.item] ?? 1
            for k in 0..<horizon where !row.targets[k].isNaN {
                observed += 1
                let shift = m.map { Float(1 - w) * row.quantiles[k * quantileCount + $0] } ?? 0
                for j in 0..<quantileCount where row.targets[k] <= row.quantiles[k * quantileCount + j] - shift {
                    below[j] += 1
                }
            }
        }
        return observed > 0 ? below.map { Double($0) / Double(observed) } : []
    }
}
