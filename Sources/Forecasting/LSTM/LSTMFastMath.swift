// Vectorised gate activations for Float. Transcendentals dominated the training step (93 % of
// it with libm's tanhf/expf), so Float uses Eigen's rational tanh approximation (clamp to
// ±7.905, odd polynomial of degree 13 over even polynomial of degree 6; a few ulps of error) on
// 8 lanes at a time, and σ(x) = ½·tanh(x/2) + ½. Double (gradient checks) keeps libm.

typealias Lanes = SIMD8<Float>

@inline(__always)
func fastTanh(_ x: Lanes) -> Lanes {
    let bound = Lanes(repeating: 7.90531110763549805)
    // Masked selects inline to vector blends; `clamped` went through an out-of-line generic min/max.
    var xc = x.replacing(with: bound, where: x .> bound)
    xc.replace(with: -bound, where: xc .< -bound)
    let x2 = xc * xc
    var p = Lanes(repeating: -2.76076847742355e-16)
    p = p * x2 + Lanes(repeating: 2.00018790482477e-13)
    p = p * x2 + Lanes(repeating: -8.60467152213735e-11)
    p = p * x2 + Lanes(repeating: 5.12229709037114e-08)
    p = p * x2 + Lanes(repeating: 1.48572235717979e-05)
    p = p * x2 + Lanes(repeating: 6.37261928875436e-04)
    p = p * x2 + Lanes(repeating: 4.89352455891786e-03)
    p *= xc
    var q = Lanes(repeating: 1.19825839466702e-06)
    q = q * x2 + Lanes(repeating: 1.18534705686654e-04)
    q = q * x2 + Lanes(repeating: 2.26843463243900e-03)
    q = q * x2 + Lanes(repeating: 4.89352518554385e-03)
    return p / q
}

@inline(__always)
func fastSigmoid(_ x: Lanes) -> Lanes {
    let half = Lanes(repeating: 0.5)
    return half * fastTanh(x * half) + half
}

@inline(__always)
func fastTanh(_ x: Float) -> Float { fastTanh(Lanes(repeating: x))[0] }

@inline(__always)
func fastSigmoid(_ x: Float) -> Float { fastSigmoid(Lanes(repeating: x))[0] }

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func lanes(_ i: Int) -> Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }
    @inline(__always) func store(_ v: Lanes, _ i: Int) { UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: Lanes.self) }
}

extension UnsafePointer where Pointee == Float {
    @inline(__always) func lanes(_ i: Int) -> Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }
}

/// The forward cell update for Float rows, 8 hidden units at a time.
func floatCellStep(gates: UnsafeMutablePointer<Float>, previous: UnsafePointer<Float>?,
                   cells: UnsafeMutablePointer<Float>, tanhCells: UnsafeMutablePointer<Float>,
                   hidden: UnsafeMutablePointer<Float>, rows: Int, hiddenSize h: Int) {
    let vectorEnd = h - h % Lanes.scalarCount
    for b in 0..<rows {
        let g = gates + b * 4 * h, row = b * h
        var j = 0
        while j < vectorEnd {
            let i = fastSigmoid(g.lanes(j)), f = fastSigmoid(g.lanes(h + j))
            let z = fastTanh(g.lanes(2 * h + j)), o = fastSigmoid(g.lanes(3 * h + j))
            g.store(i, j)
            g.store(f, h + j)
            g.store(z, 2 * h + j)
            g.store(o, 3 * h + j)
            let cPrev = previous.map { $0.lanes(row + j) } ?? Lanes()
            let c = i * z + f * cPrev
            let tc = fastTanh(c)
            cells.store(c, row + j)
            tanhCells.store(tc, row + j)
            hidden.store(o * tc, row + j)
            j += Lanes.scalarCount
        }
        while j < h {
            let i = fastSigmoid(g[j]), f = fastSigmoid(g[h + j]), z = fastTanh(g[2 * h + j]), o = fastSigmoid(g[3 * h + j])
            g[j] = i
            g[h + j] = f
            g[2 * h + j] = z
            g[3 * h + j] = o
            let c = f * (previous.map { $0[row + j] } ?? 0) + i * z
            let tc = fastTanh(c)
            cells[row + j] = c
            tanhCells[row + j] = tc
            hidden[row + j] = o * tc
            j += 1
        }
    }
}

/// The backward cell update for Float rows: turns activated gates into pre-activation gradients
/// in place and carries dc to the previous step.
func floatCellBackward(gates: UnsafeMutablePointer<Float>, previous: UnsafePointer<Float>?,
                       tanhCells: UnsafePointer<Float>, dHidden: UnsafePointer<Float>, dhNext: UnsafePointer<Float>,
                       dcNext: UnsafeMutablePointer<Float>, rows: Int, hiddenSize h: Int) {
    let one = Lanes(repeating: 1)
    let vectorEnd = h - h % Lanes.scalarCount
    for b in 0..<rows {
        let g = gates + b * 4 * h, row = b * h
        var j = 0
        while j < vectorEnd {
            let i = g.lanes(j), f = g.lanes(h + j), z = g.lanes(2 * h + j), o = g.lanes(3 * h + j)
            let dh = dHidden.lanes(row + j) + dhNext.lanes(row + j)
            let tc = tanhCells.lanes(row + j)
            let dc = dcNext.lanes(row + j) + dh * o * (one - tc * tc)
            let cPrev = previous.map { $0.lanes(row + j) } ?? Lanes()
            g.store(dc * z * i * (one - i), j)
            g.store(dc * cPrev * f * (one - f), h + j)
            g.store(dc * i * (one - z * z), 2 * h + j)
            g.store(dh * tc * o * (one - o), 3 * h + j)
            dcNext.store(dc * f, row + j)
            j += Lanes.scalarCount
        }
        while j < h {
            let i = g[j], f = g[h + j], z = g[2 * h + j], o = g[3 * h + j]
            let dh = dHidden[row + j] + dhNext[row + j], tc = tanhCells[row + j]
            let dc = dcNext[row + j] + dh * o * (1 - tc * tc)
            let cPrev = previous.map { $0[row + j] } ?? 0
            g[j] = dc * z * i * (1 - i)
            g[h + j] = dc * cPrev * f * (1 - f)
            g[2 * h + j] = dc * i * (1 - z * z)
            g[3 * h + j] = dh * tc * o * (1 - o)
            dcNext[row + j] = dc * f
            j += 1
        }
    }
}

/// out[0..<n] += Σ_k x[k]·w[k, 0..<n] for one row: the recurrent product of a single sequence
/// (scoring), where a BLAS call's fixed overhead exceeds the 64×256 multiply-adds themselves.
func floatRowTimesMatrix(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                         k: Int, n: Int) {
    // Four independent accumulators: one chain of dependent adds per 8 columns would leave the
    // loop waiting on add latency rather than throughput.
    let width = 4 * Lanes.scalarCount
    let blockEnd = n - n % width
    var j = 0
    while j < blockEnd {
        var a0 = out.lanes(j), a1 = out.lanes(j + 8), a2 = out.lanes(j + 16), a3 = out.lanes(j + 24)
        for r in 0..<k {
            let xr = Lanes(repeating: x[r]), row = w + r * n + j
            a0 += xr * row.lanes(0)
            a1 += xr * row.lanes(8)
            a2 += xr * row.lanes(16)
            a3 += xr * row.lanes(24)
        }
        out.store(a0, j)
        out.store(a1, j + 8)
        out.store(a2, j + 16)
        out.store(a3, j + 24)
        j += width
    }
    let vectorEnd = n - n % Lanes.scalarCount
    while j < vectorEnd {
        var acc = out.lanes(j)
        for r in 0..<k { acc += Lanes(repeating: x[r]) * w.lanes(r * n + j) }
        out.store(acc, j)
        j += Lanes.scalarCount
    }
    while j < n {
        var acc = out[j]
        for r in 0..<k { acc += x[r] * w[r * n + j] }
        out[j] = acc
        j += 1
    }
}
