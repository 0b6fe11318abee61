/// Whether a BLAS operand is used as stored or transposed.
public enum Transpose: Sendable, Hashable {
    /// Use the operand as stored: op(X) = X.
    case noTranspose
    /// Use the operand's transpose: op(X) = Xᵀ.
    case transpose
}

/// A real scalar that OpenBLAS and LAPACKE support (`Float` → `s…` routines, `Double` → `d…` routines).
///
/// The static hooks are thin, unchecked forwards to the C routines with row-major layout; they exist so
/// that generic code dispatches to `sgemm` or `dgemm` without a runtime type test. Prefer `Matrix` and
/// the checked free functions (`gemm`, `solve`, `leastSquares`, …), which validate shapes first.
public protocol LinearAlgebraScalar: BinaryFloatingPoint, Sendable {
    /// The routine-name prefix, `"s"` or `"d"`, used in error messages.
    static var routinePrefix: String { get }

    /// `cblas_?gemm`, row-major: C = alpha·op(A)·op(B) + beta·C.
    static func blasGemm(
        transA: Transpose, transB: Transpose, m: Int32, n: Int32, k: Int32,
        alpha: Self, a: UnsafePointer<Self>?, lda: Int32, b: UnsafePointer<Self>?, ldb: Int32,
        beta: Self, c: UnsafeMutablePointer<Self>?, ldc: Int32)
    /// `cblas_?gemv`, row-major: y = alpha·op(A)·x + beta·y, A is m×n.
    static func blasGemv(
        trans: Transpose, m: Int32, n: Int32, alpha: Self, a: UnsafePointer<Self>?, lda: Int32,
        x: UnsafePointer<Self>?, incx: Int32, beta: Self, y: UnsafeMutablePointer<Self>?, incy: Int32)
    /// `cblas_?dot`.
    static func blasDot(n: Int32, x: UnsafePointer<Self>?, incx: Int32, y: UnsafePointer<Self>?, incy: Int32) -> Self
    /// `cblas_?axpy`: y += alpha·x.
    static func blasAxpy(
        n: Int32, alpha: Self, x: UnsafePointer<Self>?, incx: Int32, y: UnsafeMutablePointer<Self>?, incy: Int32)

    /// `LAPACKE_?gesv` (row-major); returns `info`.
    static func lapackGesv(
        n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32,
        ipiv: UnsafeMutablePointer<Int32>?, b: UnsafeMutablePointer<Self>?, ldb: Int32) -> Int32
    /// `LAPACKE_?gels` with `trans = 'N'` (row-major); returns `info`.
    static func lapackGels(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32,
        b: UnsafeMutablePointer<Self>?, ldb: Int32) -> Int32
    /// `LAPACKE_?gelsd` (row-major); returns `info`.
    static func lapackGelsd(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32,
        b: UnsafeMutablePointer<Self>?, ldb: Int32, s: UnsafeMutablePointer<Self>?, rcond: Self,
        rank: UnsafeMutablePointer<Int32>?) -> Int32
    /// `LAPACKE_?potrf` on the lower triangle (row-major); returns `info`.
    static func lapackPotrf(n: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32) -> Int32
    /// `LAPACKE_?potrs` with a lower factor (row-major); returns `info`.
    static func lapackPotrs(
        n: Int32, nrhs: Int32, a: UnsafePointer<Self>?, lda: Int32, b: UnsafeMutablePointer<Self>?, ldb: Int32) -> Int32
    /// `LAPACKE_?syevd` on the upper triangle (row-major), eigenvectors when `vectors`; returns `info`.
    static func lapackSyevd(
        vectors: Bool, n: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32, w: UnsafeMutablePointer<Self>?) -> Int32
    /// `LAPACKE_?getrf` (row-major); returns `info`.
    static func lapackGetrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32, ipiv: UnsafeMutablePointer<Int32>?) -> Int32
    /// `LAPACKE_?getri` (row-major); returns `info`.
    static func lapackGetri(
        n: Int32, a: UnsafeMutablePointer<Self>?, lda: Int32, ipiv: UnsafePointer<Int32>?) -> Int32

    /// True when any element is NaN or infinite (checked before LAPACK calls, which would return garbage).
    static func containsNonFinite(_ values: UnsafeBufferPointer<Self>) -> Bool
    /// The natural logarithm, for log-determinants.
    static func naturalLogarithm(_ x: Self) -> Self
}
