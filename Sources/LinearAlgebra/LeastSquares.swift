// Linear least squares through LAPACK: gelsd (SVD, safe for rank-deficient A) and gels (QR, full rank).

/// The minimum-norm least-squares solution of A·X ≈ B together with what the SVD revealed about A.
public struct LeastSquaresSolution<Scalar: LinearAlgebraScalar>: Sendable {
    /// X, an n×nrhs matrix for an m×n A and m×nrhs B.
    public let solution: Matrix<Scalar>
    /// The effective rank of A: singular values ≤ rcond·σ₁ are treated as zero.
    public let rank: Int
    /// A's singular values in descending order, min(m, n) of them.
    public let singularValues: [Scalar]

    /// The solution's elements in row-major order: the coefficient vector x when B has one column.
    public var coefficients: [Scalar] { solution.elements }
}

/// Minimises ‖A·X − B‖₂ by SVD (`?gelsd`); rank-deficient A gets the minimum-norm solution.
///
/// - Parameter rcond: singular values ≤ rcond·σ₁ count as zero; the default is
///   ε·max(m, n), the threshold NumPy's `lstsq` uses.
public func leastSquares<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, rcond: Scalar? = nil
) throws(LinearAlgebraError) -> LeastSquaresSolution<Scalar> {
    let name = routineName(Scalar.self, "gelsd")
    let (m, n, nrhs) = (a.rows, a.columns, b.columns)
    guard b.rows == m else {
        throw .dimensionMismatch(name, "A is \(m)×\(n) but B has \(b.rows) rows")
    }
    // 32-bit sizes first: every product below then fits in Int.
    let m32 = try cInt(m, "m", name), n32 = try cInt(n, "n", name), nrhs32 = try cInt(nrhs, "nrhs", name)
    let ldb = try cInt(max(1, nrhs), "ldb", name)
    try checkFinite(a.storage, "A", name)
    try checkFinite(b.storage, "B", name)
    if m == 0 || n == 0 {
        let zero = Matrix<Scalar>(uncheckedRows: n, columns: nrhs, storage: [Scalar](repeating: 0, count: n * nrhs))
        return LeastSquaresSolution(solution: zero, rank: 0, singularValues: [])
    }
    var work = a.storage
    var rhs = paddedRightHandSide(b, rows: max(m, n))
    var singularValues = [Scalar](repeating: 0, count: min(m, n))
    var rank: Int32 = 0
    let threshold = rcond ?? Scalar.ulpOfOne * Scalar(max(m, n))
    let info = work.withUnsafeMutableBufferPointer { pa in
        rhs.withUnsafeMutableBufferPointer { pb in
            singularValues.withUnsafeMutableBufferPointer { ps in
                Scalar.lapackGelsd(m: m32, n: n32, nrhs: nrhs32, a: pa.baseAddress, lda: n32,
                                   b: pb.baseAddress, ldb: ldb, s: ps.baseAddress, rcond: threshold, rank: &rank)
            }
        }
    }
    guard info == 0 else {
        throw .lapack(name, info: info) { info in
            (.noConvergence, "the SVD did not converge: \(info) off-diagonal elements of an intermediate bidiagonal form did not converge to zero")
        }
    }
    let solution = Matrix<Scalar>(uncheckedRows: n, columns: nrhs, storage: Array(rhs.prefix(n * nrhs)))
    return LeastSquaresSolution(solution: solution, rank: Int(rank), singularValues: singularValues)
}

/// Minimises ‖A·x − b‖₂ for one right-hand side by SVD (`?gelsd`); see `leastSquares(_:_:rcond:)`.
public func leastSquares<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: [Scalar], rcond: Scalar? = nil
) throws(LinearAlgebraError) -> LeastSquaresSolution<Scalar> {
    try leastSquares(a, Matrix(column: b), rcond: rcond)
}

/// Minimises ‖A·X − B‖₂ by QR (`?gels`) for a full-rank A; faster than SVD, throws `.rankDeficient` otherwise.
///
/// For m < n (underdetermined) it returns the minimum-norm solution of A·X = B.
public func leastSquaresQR<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: Matrix<Scalar>
) throws(LinearAlgebraError) -> Matrix<Scalar> {
    let name = routineName(Scalar.self, "gels")
    let (m, n, nrhs) = (a.rows, a.columns, b.columns)
    guard b.rows == m else {
        throw .dimensionMismatch(name, "A is \(m)×\(n) but B has \(b.rows) rows")
    }
    let m32 = try cInt(m, "m", name), n32 = try cInt(n, "n", name), nrhs32 = try cInt(nrhs, "nrhs", name)
    let ldb = try cInt(max(1, nrhs), "ldb", name)
    try checkFinite(a.storage, "A", name)
    try checkFinite(b.storage, "B", name)
    if m == 0 || n == 0 {
        return Matrix(uncheckedRows: n, columns: nrhs, storage: [Scalar](repeating: 0, count: n * nrhs))
    }
    var work = a.storage
    var rhs = paddedRightHandSide(b, rows: max(m, n))
    let info = work.withUnsafeMutableBufferPointer { pa in
        rhs.withUnsafeMutableBufferPointer { pb in
            Scalar.lapackGels(m: m32, n: n32, nrhs: nrhs32, a: pa.baseAddress, lda: n32, b: pb.baseAddress, ldb: ldb)
        }
    }
    guard info == 0 else {
        throw .lapack(name, info: info) { info in
            (.rankDeficient, "diagonal element \(info) of the triangular factor is zero, so A does not have full rank (use leastSquares, which uses gelsd)")
        }
    }
    return Matrix(uncheckedRows: n, columns: nrhs, storage: Array(rhs.prefix(n * nrhs)))
}

/// Minimises ‖A·x − b‖₂ for one right-hand side by QR (`?gels`); see `leastSquaresQR(_:_:)`.
public func leastSquaresQR<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: [Scalar]
) throws(LinearAlgebraError) -> [Scalar] {
    try leastSquaresQR(a, Matrix(column: b)).elements
}

/// B's row-major elements padded with zero rows to `rows` rows, as gels/gelsd need max(m, n) rows.
private func paddedRightHandSide<Scalar: LinearAlgebraScalar>(_ b: Matrix<Scalar>, rows: Int) -> [Scalar] {
    // At least one element so that LAPACKE always receives a valid pointer, even for nrhs = 0.
    let count = max(1, rows * b.columns)
    var padded = [Scalar]()
    padded.reserveCapacity(count)
    padded.append(contentsOf: b.storage)
    padded.append(contentsOf: repeatElement(0, count: count - padded.count))
    return padded
}
