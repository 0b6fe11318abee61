import LinearAlgebra

extension LSTMWorkspace {
    /// Back-propagation through time after `forward` and `pinballLoss`: adds the gradient of the
    /// loss to `gradients` (same layout as the parameters).
    ///
    /// Per step only the recurrent product `dGates_t·W_hᵀ` is a GEMM; the weight gradients of a
    /// layer are accumulated afterwards by two GEMMs over all steps, and the gradient flowing into
    /// the layer below by one more.
    func backward(_ parameters: UnsafePointer<S>, into gradients: UnsafeMutablePointer<S>) throws(LinearAlgebraError) {
        let h = shape.hiddenSize, g4 = shape.gateSize, steps = window * batch
        let width = shape.headInputSize, outputs = shape.headOutputSize

        // Head: dW = inputᵀ·dRaw, db = Σ dRaw, and the last hidden state's gradient dRaw·W[0..<h]ᵀ.
        try mm(transA: .transpose, transB: .noTranspose, m: width, n: outputs, k: batch,
                 alpha: 1, a: headInput.pointer, lda: width, b: dRaw.pointer, ldb: outputs,
                 beta: 1, c: gradients + layout.headWeights, ldc: outputs)
        addColumnSums(dRaw.pointer, rows: batch, columns: outputs, into: gradients + layout.headBias)
        dHidden.zero()
        try mm(transA: .noTranspose, transB: .transpose, m: batch, n: h, k: outputs,
                 alpha: 1, a: dRaw.pointer, lda: outputs, b: parameters + layout.headWeights, ldb: outputs,
                 beta: 0, c: dHidden.pointer + (window - 1) * batch * h, ldc: h)

        for l in stride(from: shape.layers - 1, through: 0, by: -1) {
            let inputCount = shape.layerInputSize(l)
            let w = parameters + layout.weights[l], recurrent = w + inputCount * g4
            let g = gates[l].pointer, c = cells[l].pointer, tc = tanhCells[l].pointer
            let start = initialState?[l]
            dhNext.zero()
            dcNext.zero()
            for t in stride(from: window - 1, through: 0, by: -1) {
                let gt = g + t * batch * g4, dh = dHidden.pointer + t * batch * h
                let tct = tc + t * batch * h
                let previous: UnsafePointer<S>? = t > 0 ? UnsafePointer(c + (t - 1) * batch * h) : nil
                if let start, t == 0 {
                    start.cell.withUnsafeBufferPointer { p in
                        Self.cellBackward(gates: gt, previous: p.baseAddress, tanhCells: tct, dHidden: dh,
                                          dhNext: dhNext.pointer, dcNext: dcNext.pointer, rows: batch, hiddenSize: h)
                    }
                } else {
                    Self.cellBackward(gates: gt, previous: previous, tanhCells: tct, dHidden: dh,
                                      dhNext: dhNext.pointer, dcNext: dcNext.pointer, rows: batch, hiddenSize: h)
                }
                if t > 0 {
                    try mm(transA: .noTranspose, transB: .transpose, m: batch, n: h, k: g4,
                             alpha: 1, a: gt, lda: g4, b: recurrent, ldb: g4, beta: 0, c: dhNext.pointer, ldc: h)
                }
            }
            // Now gates[l] holds dGates for every step.
            let input = l == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(hidden[l - 1].pointer)
            try mm(transA: .transpose, transB: .noTranspose, m: inputCount, n: g4, k: steps,
                     alpha: 1, a: input, lda: inputCount, b: g, ldb: g4, beta: 1, c: gradients + layout.weights[l], ldc: g4)
            if window > 1 {
                try mm(transA: .transpose, transB: .noTranspose, m: h, n: g4, k: (window - 1) * batch,
                         alpha: 1, a: hidden[l].pointer, lda: h, b: g + batch * g4, ldb: g4,
                         beta: 1, c: gradients + layout.weights[l] + inputCount * g4, ldc: g4)
            }
            if let start {
                try start.hidden.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                    try mm(transA: .transpose, transB: .noTranspose, m: h, n: g4, k: batch,
                             alpha: 1, a: p.baseAddress, lda: h, b: g, ldb: g4,
                             beta: 1, c: gradients + layout.weights[l] + inputCount * g4, ldc: g4)
                }
            }
            addColumnSums(g, rows: steps, columns: g4, into: gradients + layout.biases[l])
            if l > 0 {
                try mm(transA: .noTranspose, transB: .transpose,
                         m: steps, n: h, k: g4, alpha: 1, a: g, lda: g4, b: w, ldb: g4,
                         beta: 0, c: dHidden.pointer, ldc: h)
            } else if shape.embeddingSize > 0 {
                try embeddingGradient(w, gates: g, into: gradients)
            }
        }
    }

    /// Activated gates → pre-activation gradients, in place, for one step of `rows` sequences.
    @inline(__always)
    static func cellBackward(gates: UnsafeMutablePointer<S>, previous: UnsafePointer<S>?, tanhCells: UnsafePointer<S>,
                             dHidden: UnsafePointer<S>, dhNext: UnsafePointer<S>, dcNext: UnsafeMutablePointer<S>,
                             rows: Int, hiddenSize h: Int) {
        if S.self == Float.self {
            func f(_ p: UnsafePointer<S>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
            floatCellBackward(gates: UnsafeMutableRawPointer(gates).assumingMemoryBound(to: Float.self),
                              previous: previous.map(f), tanhCells: f(tanhCells), dHidden: f(dHidden), dhNext: f(dhNext),
                              dcNext: UnsafeMutableRawPointer(dcNext).assumingMemoryBound(to: Float.self),
                              rows: rows, hiddenSize: h)
            return
        }
        for b in 0..<rows {
            let g = gates + b * 4 * h, row = b * h
            for j in 0..<h {
                let i = g[j], f = g[h + j], z = g[2 * h + j], o = g[3 * h + j]
                let dh = dHidden[row + j] + dhNext[row + j], tc = tanhCells[row + j]
                let dc = dcNext[row + j] + dh * o * (1 - tc * tc)
                let cPrev: S = previous.map { $0[row + j] } ?? 0
                g[j] = dc * z * i * (1 - i)
                g[h + j] = dc * cPrev * f * (1 - f)
                g[2 * h + j] = dc * i * (1 - z * z)
                g[3 * h + j] = dh * tc * o * (1 - o)
                dcNext[row + j] = dc * f
            }
        }
    }

    /// The embedding inputs are the same at every step, so their gradient is Σ_t dGates_t·W_embᵀ.
    private func embeddingGradient(_ w: UnsafePointer<S>, gates g: UnsafePointer<S>,
                                   into gradients: UnsafeMutablePointer<S>) throws(LinearAlgebraError) {
        let e = shape.embeddingSize, g4 = shape.gateSize
        try mm(transA: .noTranspose, transB: .transpose, m: window * batch, n: e, k: g4,
                 alpha: 1, a: g, lda: g4, b: w + shape.embeddingColumn * g4, ldb: g4,
                 beta: 0, c: dEmbedding.pointer, ldc: e)
        for b in 0..<batch {
            let s = seriesIndex[b]
            guard s >= 0, s < shape.seriesCount else { continue }
            let target = gradients + layout.embedding + s * e
            for t in 0..<window {
                let source = dEmbedding.pointer + (t * batch + b) * e
                for k in 0..<e { target[k] += source[k] }
            }
        }
    }

    private func addColumnSums(_ x: UnsafePointer<S>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<S>) {
        for r in 0..<rows {
            let row = x + r * columns
            for k in 0..<columns { sums[k] += row[k] }
        }
    }
}

extension LSTMWorkspace {
    /// Forward, loss and backward in one call on array-held parameters (tests, small jobs).
    func lossAndGradient(_ parameters: [S], levels: [S]) throws(LinearAlgebraError) -> (loss: S, gradient: [S]) {
        var gradient = [S](repeating: 0, count: parameters.count)
        let loss = try parameters.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) -> S in
            guard let base = p.baseAddress else { return 0 }
            try forward(base)
            let loss = pinballLoss(levels: levels).loss
            try gradient.withUnsafeMutableBufferPointer { (g) throws(LinearAlgebraError) in
                guard let gBase = g.baseAddress else { return }
                try backward(base, into: gBase)
            }
            return loss
        }
        return (loss, gradient)
    }

    /// The loss alone (finite-difference checks).
    func loss(_ parameters: [S], levels: [S]) throws(LinearAlgebraError) -> S {
        try parameters.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) -> S in
            guard let base = p.baseAddress else { return 0 }
            try forward(base)
            return pinballLoss(levels: levels).loss
        }
    }
}
