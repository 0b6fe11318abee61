// Square systems through LU with partial pivoting: gesv, and getrf + getri for the explicit inverse.

/// Solves A·X = B for square A by LU with partial pivoting (`?gesv`); throws `.singular` on a zero pivot.
public func solve<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: Matrix<Scalar>
) throws(LinearAlgebraError) -> Matrix<Scalar> {
    let name = routineName(Scalar.self, "gesv")
    let n = a.rows, nrhs = b.columns
    guard a.isSquare else { throw .dimensionMismatch(name, "A is \(a.rows)×\(a.columns), not square") }
    guard b.rows == n else { throw .dimensionMismatch(name, "A is \(n)×\(n) but B has \(b.rows) rows") }
    try checkFinite(a.storage, "A", name)
    try checkFinite(b.storage, "B", name)
    if n == 0 || nrhs == 0 { return b }
    var work = a.storage
    var x = b.storage
    var pivots = [Int32](repeating: 0, count: n)
    let n32 = try cInt(n, "n", name), nrhs32 = try cInt(nrhs, "nrhs", name)
    let info = work.withUnsafeMutableBufferPointer { pa in
        x.withUnsafeMutableBufferPointer { pb in
            pivots.withUnsafeMutableBufferPointer { pp in
                Scalar.lapackGesv(n: n32, nrhs: nrhs32, a: pa.baseAddress, lda: n32,
                                  ipiv: pp.baseAddress, b: pb.baseAddress, ldb: nrhs32)
            }
        }
    }
    guard info == 0 else { throw .lapack(name, info: info, positive: zeroPivot) }
    return Matrix(uncheckedRows: n, columns: nrhs, storage: x)
}

/// Solves A·x = b for square A and one right-hand side (`?gesv`); see `solve(_:_:)`.
public func solve<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: [Scalar]
) throws(LinearAlgebraError) -> [Scalar] {
    try solve(a, Matrix(column: b)).elements
}

/// A⁻¹ by LU factorisation (`?getrf` then `?getri`); prefer `solve` when only A⁻¹·B is needed.
public func inverse<Scalar: LinearAlgebraScalar>(_ a: Matrix<Scalar>) throws(LinearAlgebraError) -> Matrix<Scalar> {
    let getrf = routineName(Scalar.self, "getrf"), getri = routineName(Scalar.self, "getri")
    let n = a.rows
    guard a.isSquare else { throw .dimensionMismatch(getrf, "A is \(a.rows)×\(a.columns), not square") }
    try checkFinite(a.storage, "A", getrf)
    if n == 0 { return a }
    var work = a.storage
    var pivots = [Int32](repeating: 0, count: n)
    let n32 = try cInt(n, "n", getrf)
    let (factorInfo, inverseInfo) = work.withUnsafeMutableBufferPointer { pa in
        pivots.withUnsafeMutableBufferPointer { pp in
            let factorInfo = Scalar.lapackGetrf(m: n32, n: n32, a: pa.baseAddress, lda: n32, ipiv: pp.baseAddress)
            guard factorInfo == 0 else { return (factorInfo, Int32(0)) }
            return (factorInfo, Scalar.lapackGetri(n: n32, a: pa.baseAddress, lda: n32, ipiv: pp.baseAddress))
        }
    }
    guard factorInfo == 0 else { throw .lapack(getrf, info: factorInfo, positive: zeroPivot) }
    guard inverseInfo == 0 else { throw .lapack(getri, info: inverseInfo, positive: zeroPivot) }
    return Matrix(uncheckedRows: n, columns: n, storage: work)
}

private func zeroPivot(_ info: Int) -> (LinearAlgebraError.Code, String) {
    (.singular, "U(\(info),\(info)) is exactly zero, so the matrix is singular")
}
