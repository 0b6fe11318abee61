/// The eigendecomposition A = V·diag(λ)·Vᵀ of a real symmetric matrix (`?syevd`, divide and conquer).
///
/// Only the upper triangle of A is read; the lower triangle is assumed to mirror it.
public struct SymmetricEigen<Scalar: LinearAlgebraScalar>: Sendable {
    /// The eigenvalues in ascending order.
    public let values: [Scalar]
    /// Orthonormal eigenvectors as columns: column j belongs to `values[j]` (each one's sign is arbitrary).
    public let vectors: Matrix<Scalar>

    /// Decomposes `a`; throws `.noConvergence` if the algorithm fails to converge.
    public init(_ a: Matrix<Scalar>) throws(LinearAlgebraError) {
        var work = a.storage
        values = try symmetricEigen(a, work: &work, vectors: true)
        vectors = Matrix(uncheckedRows: a.rows, columns: a.columns, storage: work)
    }
}

/// The eigenvalues of a real symmetric matrix in ascending order, without eigenvectors (`?syevd`).
public func symmetricEigenvalues<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>
) throws(LinearAlgebraError) -> [Scalar] {
    var work = a.storage
    return try symmetricEigen(a, work: &work, vectors: false)
}

private func symmetricEigen<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, work: inout [Scalar], vectors: Bool
) throws(LinearAlgebraError) -> [Scalar] {
    let name = routineName(Scalar.self, "syevd")
    let n = a.rows
    guard a.isSquare else { throw .dimensionMismatch(name, "A is \(a.rows)×\(a.columns), not square") }
    try checkFinite(a.storage, "A", name)
    if n == 0 { return [] }
    var values = [Scalar](repeating: 0, count: n)
    let n32 = try cInt(n, "n", name)
    let info = work.withUnsafeMutableBufferPointer { pa in
        values.withUnsafeMutableBufferPointer { pw in
            Scalar.lapackSyevd(vectors: vectors, n: n32, a: pa.baseAddress, lda: n32, w: pw.baseAddress)
        }
    }
    guard info == 0 else {
        throw .lapack(name, info: info) { info in
            (.noConvergence, "the algorithm failed to converge (\(info) eigenvalues or off-diagonal elements)")
        }
    }
    return values
}
