/// The Cholesky factorisation A = L·Lᵀ of a symmetric positive definite matrix (`?potrf`).
///
/// Only the lower triangle of A is read; the upper triangle is assumed to mirror it.
public struct Cholesky<Scalar: LinearAlgebraScalar>: Sendable {
    /// The lower-triangular factor L, with zeros above the diagonal.
    public let factor: Matrix<Scalar>

    /// Factors `a`; throws `.notPositiveDefinite` naming the first leading minor that is not.
    public init(_ a: Matrix<Scalar>) throws(LinearAlgebraError) {
        let name = routineName(Scalar.self, "potrf")
        let n = a.rows
        guard a.isSquare else { throw .dimensionMismatch(name, "A is \(a.rows)×\(a.columns), not square") }
        try checkFinite(a.storage, "A", name)
        var work = a.storage
        if n > 0 {
            let n32 = try cInt(n, "n", name)
            let info = work.withUnsafeMutableBufferPointer { pa in
                let info = Scalar.lapackPotrf(n: n32, a: pa.baseAddress, lda: n32)
                // potrf leaves A's upper triangle untouched; clear it so `factor` is exactly L.
                if info == 0 {
                    for i in 0..<n { for j in (i + 1)..<n { pa[i * n + j] = 0 } }
                }
                return info
            }
            guard info == 0 else {
                throw .lapack(name, info: info) { info in
                    (.notPositiveDefinite, "the leading minor of order \(info) is not positive definite")
                }
            }
        }
        factor = Matrix(uncheckedRows: n, columns: n, storage: work)
    }

    /// The dimension n of the factored n×n matrix.
    public var dimension: Int { factor.rows }

    /// log det A = 2·Σ log Lᵢᵢ, computed without forming the determinant (which under/overflows).
    public var logDeterminant: Scalar {
        let n = factor.rows
        var sum: Scalar = 0
        factor.storage.withUnsafeBufferPointer { l in
            for i in 0..<n { sum += Scalar.naturalLogarithm(l[i * n + i]) }
        }
        return 2 * sum
    }

    /// Solves A·X = B with the factorisation (`?potrs`).
    public func solve(_ b: Matrix<Scalar>) throws(LinearAlgebraError) -> Matrix<Scalar> {
        let name = routineName(Scalar.self, "potrs")
        let n = factor.rows, nrhs = b.columns
        guard b.rows == n else { throw .dimensionMismatch(name, "A is \(n)×\(n) but B has \(b.rows) rows") }
        try checkFinite(b.storage, "B", name)
        if n == 0 || nrhs == 0 { return b }
        var x = b.storage
        let n32 = try cInt(n, "n", name), nrhs32 = try cInt(nrhs, "nrhs", name)
        let info = factor.storage.withUnsafeBufferPointer { pl in
            x.withUnsafeMutableBufferPointer { pb in
                Scalar.lapackPotrs(n: n32, nrhs: nrhs32, a: pl.baseAddress, lda: n32, b: pb.baseAddress, ldb: nrhs32)
            }
        }
        // potrs only fails on illegal arguments, which the checks above rule out; map it anyway.
        guard info == 0 else { throw .lapack(name, info: info) { info in (.illegalArgument, "unexpected info") } }
        return Matrix(uncheckedRows: n, columns: nrhs, storage: x)
    }

    /// Solves A·x = b for one right-hand side (`?potrs`).
    public func solve(_ b: [Scalar]) throws(LinearAlgebraError) -> [Scalar] {
        try solve(Matrix(column: b)).elements
    }
}
