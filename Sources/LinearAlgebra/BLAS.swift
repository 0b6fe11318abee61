// Level 1–3 BLAS through OpenBLAS. Shapes are checked here so that cblas never reaches xerbla.

/// C = alpha·op(A)·op(B) + beta·C on caller-owned row-major buffers, without copies (`cblas_?gemm`).
///
/// op(A) is m×k, op(B) is k×n and C is m×n; `lda`, `ldb`, `ldc` are row strides (≥ the stored
/// row length). Meant for hot loops such as LSTM steps that keep their own buffers.
public func gemm<Scalar: LinearAlgebraScalar>(
    transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Scalar, a: UnsafePointer<Scalar>?, lda: Int, b: UnsafePointer<Scalar>?, ldb: Int,
    beta: Scalar, c: UnsafeMutablePointer<Scalar>?, ldc: Int
) throws(LinearAlgebraError) {
    let name = routineName(Scalar.self, "gemm")
    let m32 = try cInt(m, "m", name), n32 = try cInt(n, "n", name), k32 = try cInt(k, "k", name)
    // Row-major: the stored row length of A is k unless transposed, and so on.
    let aRow = transA == .noTranspose ? k : m
    let bRow = transB == .noTranspose ? n : k
    guard lda >= max(1, aRow) else { throw .illegalArgument(name, "lda \(lda) is smaller than A's row length \(aRow)") }
    guard ldb >= max(1, bRow) else { throw .illegalArgument(name, "ldb \(ldb) is smaller than B's row length \(bRow)") }
    guard ldc >= max(1, n) else { throw .illegalArgument(name, "ldc \(ldc) is smaller than C's row length \(n)") }
    let lda32 = try cInt(lda, "lda", name), ldb32 = try cInt(ldb, "ldb", name), ldc32 = try cInt(ldc, "ldc", name)
    guard m == 0 || n == 0 || c != nil else { throw .illegalArgument(name, "C is nil") }
    guard m == 0 || n == 0 || k == 0 || (a != nil && b != nil) else {
        throw .illegalArgument(name, "A or B is nil")
    }
    Scalar.blasGemm(transA: transA, transB: transB, m: m32, n: n32, k: k32, alpha: alpha,
                    a: a, lda: lda32, b: b, ldb: ldb32, beta: beta, c: c, ldc: ldc32)
}

/// C = alpha·op(A)·op(B) + beta·C into an existing C of the right shape, so C's storage is reused.
public func gemm<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, into c: inout Matrix<Scalar>,
    transA: Transpose = .noTranspose, transB: Transpose = .noTranspose,
    alpha: Scalar = 1, beta: Scalar = 0
) throws(LinearAlgebraError) {
    let (m, k) = transA == .noTranspose ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transB == .noTranspose ? (b.rows, b.columns) : (b.columns, b.rows)
    let name = routineName(Scalar.self, "gemm")
    guard k == kb else {
        throw .dimensionMismatch(name, "op(A) is \(m)×\(k) but op(B) is \(kb)×\(n)")
    }
    guard c.rows == m, c.columns == n else {
        throw .dimensionMismatch(name, "C is \(c.rows)×\(c.columns) but op(A)·op(B) is \(m)×\(n)")
    }
    let m32 = try cInt(m, "m", name), n32 = try cInt(n, "n", name), k32 = try cInt(k, "k", name)
    let lda = try cInt(max(1, a.columns), "lda", name), ldb = try cInt(max(1, b.columns), "ldb", name)
    let ldc = try cInt(max(1, n), "ldc", name)
    a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
            c.storage.withUnsafeMutableBufferPointer { pc in
                Scalar.blasGemm(transA: transA, transB: transB, m: m32, n: n32, k: k32, alpha: alpha,
                                a: pa.baseAddress, lda: lda, b: pb.baseAddress, ldb: ldb,
                                beta: beta, c: pc.baseAddress, ldc: ldc)
            }
        }
    }
}

/// The matrix product op(A)·op(B) in a new matrix.
public func matmul<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ b: Matrix<Scalar>,
    transA: Transpose = .noTranspose, transB: Transpose = .noTranspose
) throws(LinearAlgebraError) -> Matrix<Scalar> {
    let m = transA == .noTranspose ? a.rows : a.columns
    let n = transB == .noTranspose ? b.columns : b.rows
    var c = try Matrix<Scalar>(rows: m, columns: n)
    try gemm(a, b, into: &c, transA: transA, transB: transB)
    return c
}

/// y = alpha·op(A)·x + beta·y into an existing y of the right length (`cblas_?gemv`).
public func gemv<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ x: [Scalar], into y: inout [Scalar],
    trans: Transpose = .noTranspose, alpha: Scalar = 1, beta: Scalar = 0
) throws(LinearAlgebraError) {
    let (rows, cols) = trans == .noTranspose ? (a.rows, a.columns) : (a.columns, a.rows)
    let name = routineName(Scalar.self, "gemv")
    guard x.count == cols else {
        throw .dimensionMismatch(name, "op(A) is \(rows)×\(cols) but x has \(x.count) elements")
    }
    guard y.count == rows else {
        throw .dimensionMismatch(name, "op(A) is \(rows)×\(cols) but y has \(y.count) elements")
    }
    let m = try cInt(a.rows, "m", name), n = try cInt(a.columns, "n", name)
    let lda = try cInt(max(1, a.columns), "lda", name)
    a.storage.withUnsafeBufferPointer { pa in
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                Scalar.blasGemv(trans: trans, m: m, n: n, alpha: alpha, a: pa.baseAddress, lda: lda,
                                x: px.baseAddress, incx: 1, beta: beta, y: py.baseAddress, incy: 1)
            }
        }
    }
}

/// The matrix–vector product op(A)·x in a new array.
public func matvec<Scalar: LinearAlgebraScalar>(
    _ a: Matrix<Scalar>, _ x: [Scalar], trans: Transpose = .noTranspose
) throws(LinearAlgebraError) -> [Scalar] {
    var y = [Scalar](repeating: 0, count: trans == .noTranspose ? a.rows : a.columns)
    try gemv(a, x, into: &y, trans: trans)
    return y
}

/// The inner product Σ xᵢyᵢ (`cblas_?dot`).
public func dot<Scalar: LinearAlgebraScalar>(_ x: [Scalar], _ y: [Scalar]) throws(LinearAlgebraError) -> Scalar {
    let name = routineName(Scalar.self, "dot")
    guard x.count == y.count else {
        throw .dimensionMismatch(name, "x has \(x.count) elements but y has \(y.count)")
    }
    let n = try cInt(x.count, "n", name)
    return x.withUnsafeBufferPointer { px in
        y.withUnsafeBufferPointer { py in
            Scalar.blasDot(n: n, x: px.baseAddress, incx: 1, y: py.baseAddress, incy: 1)
        }
    }
}

/// y += alpha·x in place (`cblas_?axpy`).
public func axpy<Scalar: LinearAlgebraScalar>(
    alpha: Scalar, _ x: [Scalar], _ y: inout [Scalar]
) throws(LinearAlgebraError) {
    let name = routineName(Scalar.self, "axpy")
    guard x.count == y.count else {
        throw .dimensionMismatch(name, "x has \(x.count) elements but y has \(y.count)")
    }
    let n = try cInt(x.count, "n", name)
    x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
            Scalar.blasAxpy(n: n, alpha: alpha, x: px.baseAddress, incx: 1, y: py.baseAddress, incy: 1)
        }
    }
}

extension Matrix {
    /// The matrix product A·B; throws when A's columns differ from B's rows.
    public static func * (lhs: Matrix, rhs: Matrix) throws(LinearAlgebraError) -> Matrix {
        try matmul(lhs, rhs)
    }

    /// The matrix–vector product A·x; throws when A's columns differ from x's length.
    public static func * (lhs: Matrix, rhs: [Scalar]) throws(LinearAlgebraError) -> [Scalar] {
        try matvec(lhs, rhs)
    }
}
