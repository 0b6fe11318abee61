import LinearAlgebra

/// Preallocated buffers and the forward/backward passes of the LSTM network for one batch shape
/// (`batch` sequences of `window` steps), generic so that gradients can be checked in `Double`.
///
/// Data is time-major: row `t·batch + b` of every per-step buffer is sequence `b` at step `t`, so a
/// layer's input projection for all steps is one GEMM of `window·batch` rows, each step's recurrent
/// product is one GEMM of `batch` rows, and the weight gradients of a layer are two GEMMs over all
/// steps after the backward sweep.
final class LSTMWorkspace<S: LSTMScalar> {
    let shape: LSTMShape
    let layout: LSTMShape.Layout
    let batch: Int
    let window: Int

    /// Inputs `[window × batch × inputSize]`; the embedding columns are filled by `forward`.
    let inputs: LSTMBuffer<S>
    /// Future features `[batch × horizon·featureCount]` for the head.
    let future: LSTMBuffer<S>
    /// Scaled targets `[batch × horizon]`, NaN where missing (masked out of the loss).
    let targets: LSTMBuffer<S>
    /// The embedding row of each sequence, or −1 for none (a zero embedding).
    var seriesIndex: [Int]
    /// Optional starting state `[layer][h (batch × hidden), c (batch × hidden)]`; zero when nil.
    var initialState: [(hidden: [S], cell: [S])]?

    /// Activated gates per layer (overwritten by their pre-activation gradients in `backward`).
    let gates: [LSTMBuffer<S>]
    let cells: [LSTMBuffer<S>]
    let tanhCells: [LSTMBuffer<S>]
    let hidden: [LSTMBuffer<S>]
    let headInput: LSTMBuffer<S>
    let raw: LSTMBuffer<S>
    /// Non-crossing quantiles `[batch × horizon × quantileCount]` in scaled units.
    let quantiles: LSTMBuffer<S>

    let dRaw: LSTMBuffer<S>
    let dHidden: LSTMBuffer<S>
    let dhNext: LSTMBuffer<S>
    let dcNext: LSTMBuffer<S>
    let dEmbedding: LSTMBuffer<S>

    init(shape: LSTMShape, batch: Int, window: Int) {
        self.shape = shape
        layout = shape.layout
        self.batch = batch
        self.window = window
        let steps = window * batch, h = shape.hiddenSize
        inputs = LSTMBuffer(steps * shape.inputSize)
        future = LSTMBuffer(batch * shape.horizon * shape.featureCount)
        targets = LSTMBuffer(batch * shape.horizon)
        seriesIndex = Array(repeating: -1, count: batch)
        gates = (0..<shape.layers).map { _ in LSTMBuffer(steps * shape.gateSize) }
        cells = (0..<shape.layers).map { _ in LSTMBuffer(steps * h) }
        tanhCells = (0..<shape.layers).map { _ in LSTMBuffer(steps * h) }
        hidden = (0..<shape.layers).map { _ in LSTMBuffer(steps * h) }
        headInput = LSTMBuffer(batch * shape.headInputSize)
        raw = LSTMBuffer(batch * shape.headOutputSize)
        quantiles = LSTMBuffer(batch * shape.headOutputSize)
        dRaw = LSTMBuffer(batch * shape.headOutputSize)
        dHidden = LSTMBuffer(steps * h)
        dhNext = LSTMBuffer(batch * h)
        dcNext = LSTMBuffer(batch * h)
        dEmbedding = LSTMBuffer(steps * shape.embeddingSize)
    }

    /// When set, every GEMM's time and floating-point operations are added here (benchmarks).
    var profile: LSTMGemmProfile?

    /// `gemm` on the unsafe-pointer path, timed when profiling.
    @inline(__always)
    func mm(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: S, a: UnsafePointer<S>?, lda: Int,
            b: UnsafePointer<S>?, ldb: Int, beta: S, c: UnsafeMutablePointer<S>?, ldc: Int) throws(LinearAlgebraError) {
        guard let profile else {
            return try gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        let start = ContinuousClock.now
        try gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        profile.record(m: m, n: n, k: k, transA: transA, transB: transB, since: start)
    }

    // MARK: Forward

    /// Runs all layers over the window, then the head; leaves quantiles in `quantiles`.
    func forward(_ parameters: UnsafePointer<S>) throws(LinearAlgebraError) {
        try forwardLayers(parameters)
        try forwardHead(parameters)
    }

    /// Runs the recurrent layers only (the scoring path advances state without the head).
    func forwardLayers(_ parameters: UnsafePointer<S>) throws(LinearAlgebraError) {
        fillEmbedding(parameters)
        let h = shape.hiddenSize, g4 = shape.gateSize, steps = window * batch
        for l in 0..<shape.layers {
            let inputCount = shape.layerInputSize(l)
            let input = l == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(hidden[l - 1].pointer)
            let w = parameters + layout.weights[l], bias = parameters + layout.biases[l]
            let g = gates[l].pointer, c = cells[l].pointer, tc = tanhCells[l].pointer, hs = hidden[l].pointer
            for r in 0..<steps { (g + r * g4).update(from: bias, count: g4) }
            // The input projection of every step at once: the large GEMM that makes this fast.
            try mm(transA: .noTranspose, transB: .noTranspose, m: steps, n: g4, k: inputCount,
                     alpha: 1, a: input, lda: inputCount, b: w, ldb: g4, beta: 1, c: g, ldc: g4)
            let recurrent = w + inputCount * g4
            let start = initialState?[l]
            for t in 0..<window {
                let gt = g + t * batch * g4
                if t > 0, batch == 1, S.self == Float.self {
                    floatRowTimesMatrix(UnsafeRawPointer(hs + (t - 1) * h).assumingMemoryBound(to: Float.self),
                                        UnsafeRawPointer(recurrent).assumingMemoryBound(to: Float.self),
                                        into: UnsafeMutableRawPointer(gt).assumingMemoryBound(to: Float.self), k: h, n: g4)
                } else if t > 0 {
                    try mm(transA: .noTranspose, transB: .noTranspose, m: batch, n: g4, k: h,
                             alpha: 1, a: hs + (t - 1) * batch * h, lda: h, b: recurrent, ldb: g4,
                             beta: 1, c: gt, ldc: g4)
                } else if let start {
                    try start.hidden.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                        try mm(transA: .noTranspose, transB: .noTranspose, m: batch, n: g4, k: h,
                                 alpha: 1, a: p.baseAddress, lda: h, b: recurrent, ldb: g4,
                                 beta: 1, c: gt, ldc: g4)
                    }
                }
                let ct = c + t * batch * h, tct = tc + t * batch * h, ht = hs + t * batch * h
                if t > 0 {
                    Self.cellStep(gates: gt, previous: c + (t - 1) * batch * h, cells: ct, tanhCells: tct,
                                  hidden: ht, rows: batch, hiddenSize: h)
                } else if let start {
                    start.cell.withUnsafeBufferPointer { p in
                        Self.cellStep(gates: gt, previous: p.baseAddress, cells: ct, tanhCells: tct,
                                      hidden: ht, rows: batch, hiddenSize: h)
                    }
                } else {
                    Self.cellStep(gates: gt, previous: nil, cells: ct, tanhCells: tct, hidden: ht,
                                  rows: batch, hiddenSize: h)
                }
            }
        }
    }

    /// Gate activations and the cell update for `rows` sequences at one step.
    @inline(__always)
    static func cellStep(gates: UnsafeMutablePointer<S>, previous: UnsafePointer<S>?,
                         cells: UnsafeMutablePointer<S>, tanhCells: UnsafeMutablePointer<S>,
                         hidden: UnsafeMutablePointer<S>, rows: Int, hiddenSize h: Int) {
        if S.self == Float.self {
            floatCellStep(gates: UnsafeMutableRawPointer(gates).assumingMemoryBound(to: Float.self),
                          previous: previous.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) },
                          cells: UnsafeMutableRawPointer(cells).assumingMemoryBound(to: Float.self),
                          tanhCells: UnsafeMutableRawPointer(tanhCells).assumingMemoryBound(to: Float.self),
                          hidden: UnsafeMutableRawPointer(hidden).assumingMemoryBound(to: Float.self),
                          rows: rows, hiddenSize: h)
            return
        }
        for b in 0..<rows {
            let g = gates + b * 4 * h, row = b * h
            for j in 0..<h {
                let i = S.sigmoid(g[j]), f = S.sigmoid(g[h + j])
                let z = S.hyperbolicTangent(g[2 * h + j]), o = S.sigmoid(g[3 * h + j])
                g[j] = i
                g[h + j] = f
                g[2 * h + j] = z
                g[3 * h + j] = o
                let cPrev: S = previous.map { $0[row + j] } ?? 0
                let cNew = f * cPrev + i * z
                let tcNew = S.hyperbolicTangent(cNew)
                cells[row + j] = cNew
                tanhCells[row + j] = tcNew
                hidden[row + j] = o * tcNew
            }
        }
    }

    /// The head on the last hidden state: raw outputs, then quantiles that cannot cross.
    func forwardHead(_ parameters: UnsafePointer<S>) throws(LinearAlgebraError) {
        let h = shape.hiddenSize, width = shape.headInputSize
        let last = hidden[shape.layers - 1].pointer + (window - 1) * batch * h
        let futureWidth = width - h
        for b in 0..<batch {
            (headInput.pointer + b * width).update(from: last + b * h, count: h)
            if futureWidth > 0 {
                (headInput.pointer + b * width + h).update(from: future.pointer + b * futureWidth, count: futureWidth)
            }
        }
        let start = ContinuousClock.now
        try Self.head(parameters, layout: layout, shape: shape, input: headInput.pointer, rows: batch,
                      raw: raw.pointer, quantiles: quantiles.pointer)
        profile?.record(m: batch, n: shape.headOutputSize, k: width, transA: .noTranspose, transB: .noTranspose, since: start)
    }

    /// raw = input·W + b, then per step q₀ = raw₀ and q_k = q_{k−1} + softplus(raw_k).
    static func head(_ parameters: UnsafePointer<S>, layout: LSTMShape.Layout, shape: LSTMShape,
                     input: UnsafePointer<S>, rows: Int, raw: UnsafeMutablePointer<S>,
                     quantiles: UnsafeMutablePointer<S>) throws(LinearAlgebraError) {
        let width = shape.headInputSize, outputs = shape.headOutputSize, q = shape.quantileCount
        for b in 0..<rows { (raw + b * outputs).update(from: parameters + layout.headBias, count: outputs) }
        try gemm(transA: .noTranspose, transB: .noTranspose, m: rows, n: outputs, k: width,
                 alpha: 1, a: input, lda: width, b: parameters + layout.headWeights, ldb: outputs,
                 beta: 1, c: raw, ldc: outputs)
        for r in 0..<(rows * shape.horizon) {
            let a = raw + r * q, out = quantiles + r * q
            var level = a[0]
            out[0] = level
            for k in 1..<max(q, 1) {
                level += S.softplus(a[k])
                out[k] = level
            }
        }
    }

    private func fillEmbedding(_ parameters: UnsafePointer<S>) {
        let e = shape.embeddingSize
        guard e > 0 else { return }
        let width = shape.inputSize, column = shape.embeddingColumn
        for b in 0..<batch {
            let s = seriesIndex[b]
            let source: UnsafePointer<S>? = s >= 0 && s < shape.seriesCount ? parameters + layout.embedding + s * e : nil
            for t in 0..<window {
                let row = inputs.pointer + (t * batch + b) * width + column
                if let source { row.update(from: source, count: e) } else { row.update(repeating: 0, count: e) }
            }
        }
    }

    // MARK: Loss

    /// Mean pinball loss over observed targets and levels (scaled units); sets the head's output
    /// gradient for `backward`. Returns the loss and the number of observed targets.
    func pinballLoss(levels: [S]) -> (loss: S, observed: Int) {
        let horizon = shape.horizon, q = shape.quantileCount
        var observed = 0
        for i in 0..<(batch * horizon) where !targets[i].isNaN { observed += 1 }
        dRaw.zero()
        guard observed > 0 else { return (0, 0) }
        let norm = 1 / S(observed * q)
        var total: S = 0
        for r in 0..<(batch * horizon) {
            let y = targets[r]
            guard !y.isNaN else { continue }
            let qs = quantiles.pointer + r * q, a = raw.pointer + r * q, d = dRaw.pointer + r * q
            for k in 0..<q {
                let u = y - qs[k], tau = levels[k]
                total += u >= 0 ? tau * u : (tau - 1) * u
                // ∂ρ/∂q = −τ above the quantile, 1 − τ below it.
                d[k] = (u >= 0 ? -tau : 1 - tau) * norm
            }
            // Back through the cumulative softplus: q_j depends on raw_k for every j ≥ k.
            var suffix: S = 0
            for k in stride(from: q - 1, through: 0, by: -1) {
                suffix += d[k]
                d[k] = k == 0 ? suffix : suffix * S.sigmoid(a[k])
            }
        }
        return (total * norm, observed)
    }
}
