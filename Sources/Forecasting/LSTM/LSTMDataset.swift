import Features
import TimeSeries

/// The training series of one group, read lazily into mini-batches by (series, origin) index so
/// that no window is ever materialised: memory stays at the series themselves.
///
/// An *origin* `e` is the index of the first forecast step: the network reads steps
/// `e − window ..< e` (zero-padded before the series starts) and predicts `e ..< e + horizon`.
struct LSTMDataset {
    struct Item {
        var values: [Double]
        /// Row-major regressors (`rows × featureCount`), empty without features.
        var regressors: [Double]
        var rows: Int
        var scaling: LSTMSeriesScaling
        /// Training origins `lower...upper` (empty when lower > upper).
        var lower: Int
        var upper: Int
        /// The held-out origin (`count − horizon`), if the series is long enough.
        var validationOrigin: Int?
    }

    var items: [Item]
    let window: Int
    let horizon: Int
    let features: LSTMFeatureScaling
    /// How each window is scaled and what the network's targets are relative to.
    let normalisation: LSTMNormalisation
    /// Cumulative training-origin counts, for uniform sampling over all windows of all series.
    private(set) var cumulative: [Int] = []

    var featureCount: Int { features.names.count }
    var trainingWindowCount: Int { cumulative.last ?? 0 }
    var validationItems: [Int] { items.indices.filter { items[$0].validationOrigin != nil } }

    init(items: [Item], window: Int, horizon: Int, features: LSTMFeatureScaling, normalisation: LSTMNormalisation,
         validation: Bool) {
        self.normalisation = normalisation
        self.window = window
        self.horizon = horizon
        self.features = features
        self.items = items
        var total = 0
        for i in self.items.indices {
            let n = self.items[i].values.count
            // Hold out the last `horizon` points only when enough remains to train on.
            let holdOut = validation && n >= 2 * horizon + 1
            let lastOrigin = holdOut ? n - 2 * horizon : n - horizon
            // Long series train on full windows only; short ones on zero-padded windows.
            let firstOrigin = max(1, min(window, lastOrigin / 2))
            self.items[i].lower = firstOrigin
            self.items[i].upper = lastOrigin
            self.items[i].validationOrigin = holdOut ? n - horizon : nil
            total += max(0, lastOrigin - firstOrigin + 1)
            cumulative.append(total)
        }
    }

    /// A uniformly random training window over all series.
    func sample(_ rng: inout LSTMRandom) -> (item: Int, origin: Int) {
        let k = rng.below(trainingWindowCount)
        // Binary search for the first cumulative count above k.
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > k { hi = mid } else { lo = mid + 1 }
        }
        let before = lo > 0 ? cumulative[lo - 1] : 0
        return (lo, items[lo].lower + (k - before))
    }

    /// Writes window `(item, origin)` into row `b` of the workspace (inputs, future features,
    /// targets); `item == nil` clears the row so that it adds nothing to the loss.
    func fill(_ ws: LSTMWorkspace<Float>, row b: Int, item: Int?, origin: Int) {
        let width = ws.shape.inputSize, f = featureCount, batch = ws.batch, h = horizon
        guard let item else {
            for t in 0..<window { (ws.inputs.pointer + (t * batch + b) * width).update(repeating: 0, count: width) }
            (ws.future.pointer + b * h * f).update(repeating: 0, count: h * f)
            (ws.targets.pointer + b * h).update(repeating: .nan, count: h)
            ws.seriesIndex[b] = -1
            return
        }
        let it = items[item]
        let scale = windowScale(it.values, end: origin)
        Self.fillInputs(ws.inputs.pointer, row: b, batch: batch, width: width, window: window,
                        values: it.values, regressors: it.regressors, features: features,
                        scale: scale, end: origin)
        Self.fillFuture(ws.future.pointer + b * h * f, regressors: it.regressors, features: features,
                        rows: it.rows, origin: origin, horizon: h)
        for k in 0..<h {
            let p = origin + k
            ws.targets[b * h + k] = p < it.values.count ? scale.target(it.values[p], step: k) : .nan
        }
        ws.seriesIndex[b] = it.scaling.embeddingIndex ?? -1
    }

    /// The level and baseline of the window that ends before `end`.
    func windowScale(_ values: [Double], end: Int) -> LSTMWindowScale {
        LSTMWindowScale(values: values, end: end, window: window, horizon: horizon, normalisation: normalisation)
    }

    /// Fills the window of steps `end − window ..< end` of one sequence (time-major rows).
    static func fillInputs(_ inputs: UnsafeMutablePointer<Float>, row b: Int, batch: Int, width: Int, window: Int,
                           values: [Double], regressors: [Double], features: LSTMFeatureScaling,
                           scale: LSTMWindowScale, end: Int) {
        let f = features.names.count
        for t in 0..<window {
            let p = end - window + t
            let x = inputs + (t * batch + b) * width
            x.update(repeating: 0, count: width)
            guard p >= 0, p < values.count else { continue }
            if let v = scale.input(values[p]) {
                x[0] = v
                x[1] = 1
            }
            if f > 0, (p + 1) * f <= regressors.count {
                for c in 0..<f { x[LSTMShape.valueColumns + c] = features.value(regressors[p * f + c], column: c) }
            }
        }
    }

    /// Fills the head's future features: rows `origin ..< origin + horizon`, zero past the matrix.
    static func fillFuture(_ future: UnsafeMutablePointer<Float>, regressors: [Double], features: LSTMFeatureScaling,
                           rows: Int, origin: Int, horizon: Int) {
        let f = features.names.count
        guard f > 0 else { return }
        for k in 0..<horizon {
            let p = origin + k
            for c in 0..<f {
                future[k * f + c] = p < rows && p >= 0 ? features.value(regressors[p * f + c], column: c) : 0
            }
        }
    }
}
