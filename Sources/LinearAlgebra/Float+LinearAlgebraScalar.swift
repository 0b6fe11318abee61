#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CCBLAS
internal import CLAPACKE

extension Float: LinearAlgebraScalar {
    public static var routinePrefix: String { "s" }

    public static func blasGemm(
        transA: Transpose, transB: Transpose, m: Int32, n: Int32, k: Int32,
        alpha: Float, a: UnsafePointer<Float>?, lda: Int32, b: UnsafePointer<Float>?, ldb: Int32,
        beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int32
    ) {
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func blasGemv(
        trans: Transpose, m: Int32, n: Int32, alpha: Float, a: UnsafePointer<Float>?, lda: Int32,
        x: UnsafePointer<Float>?, incx: Int32, beta: Float, y: UnsafeMutablePointer<Float>?, incy: Int32
    ) {
        cblas_sgemv(CblasRowMajor, trans.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    public static func blasDot(n: Int32, x: UnsafePointer<Float>?, incx: Int32, y: UnsafePointer<Float>?, incy: Int32) -> Float {
        cblas_sdot(n, x, incx, y, incy)
    }

    public static func blasAxpy(
        n: Int32, alpha: Float, x: UnsafePointer<Float>?, incx: Int32, y: UnsafeMutablePointer<Float>?, incy: Int32
    ) {
        cblas_saxpy(n, alpha, x, incx, y, incy)
    }

    public static func lapackGesv(
        n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32,
        ipiv: UnsafeMutablePointer<Int32>?, b: UnsafeMutablePointer<Float>?, ldb: Int32
    ) -> Int32 {
        LAPACKE_sgesv(LAPACK_ROW_MAJOR, n, nrhs, a, lda, ipiv, b, ldb)
    }

    public static func lapackGels(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32,
        b: UnsafeMutablePointer<Float>?, ldb: Int32
    ) -> Int32 {
        LAPACKE_sgels(LAPACK_ROW_MAJOR, lapackChar("N"), m, n, nrhs, a, lda, b, ldb)
    }

    public static func lapackGelsd(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32,
        b: UnsafeMutablePointer<Float>?, ldb: Int32, s: UnsafeMutablePointer<Float>?, rcond: Float,
        rank: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        LAPACKE_sgelsd(LAPACK_ROW_MAJOR, m, n, nrhs, a, lda, b, ldb, s, rcond, rank)
    }

    public static func lapackPotrf(n: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32) -> Int32 {
        LAPACKE_spotrf(LAPACK_ROW_MAJOR, lapackChar("L"), n, a, lda)
    }

    public static func lapackPotrs(
        n: Int32, nrhs: Int32, a: UnsafePointer<Float>?, lda: Int32, b: UnsafeMutablePointer<Float>?, ldb: Int32
    ) -> Int32 {
        LAPACKE_spotrs(LAPACK_ROW_MAJOR, lapackChar("L"), n, nrhs, a, lda, b, ldb)
    }

    public static func lapackSyevd(
        vectors: Bool, n: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32, w: UnsafeMutablePointer<Float>?
    ) -> Int32 {
        LAPACKE_ssyevd(LAPACK_ROW_MAJOR, lapackChar(vectors ? "V" : "N"), lapackChar("U"), n, a, lda, w)
    }

    public static func lapackGetrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32, ipiv: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        LAPACKE_sgetrf(LAPACK_ROW_MAJOR, m, n, a, lda, ipiv)
    }

    public static func lapackGetri(
        n: Int32, a: UnsafeMutablePointer<Float>?, lda: Int32, ipiv: UnsafePointer<Int32>?
    ) -> Int32 {
        LAPACKE_sgetri(LAPACK_ROW_MAJOR, n, a, lda, ipiv)
    }

    public static func containsNonFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
        // NaN and ±inf both make x - x non-zero (NaN), so one branch-free pass suffices.
        var probe: Float = 0
        for x in values { probe += x - x }
        return probe.isNaN
    }

    public static func naturalLogarithm(_ x: Float) -> Float { logf(x) }
}
