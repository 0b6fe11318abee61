import LinearAlgebra

/// Time and floating-point work spent in GEMMs, per distinct shape, for the benchmark's
/// "GEMM rate reached" figure.
final class LSTMGemmProfile {
    struct Shape: Hashable {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    }
    private(set) var seconds = 0.0
    private(set) var flops = 0.0
    /// Calls per distinct shape, to replay the same mix through `cblas_sgemm` alone.
    private(set) var calls: [Shape: Int] = [:]

    func record(m: Int, n: Int, k: Int, transA: Transpose, transB: Transpose, since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        seconds += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        flops += 2 * Double(m) * Double(n) * Double(k)
        calls[Shape(m: m, n: n, k: k, transA: transA == .transpose, transB: transB == .transpose), default: 0] += 1
    }

    func reset() {
        seconds = 0
        flops = 0
        calls = [:]
    }
}
