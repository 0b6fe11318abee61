#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CCBLAS
internal import CLAPACKE

extension Double: LinearAlgebraScalar {
    public static var routinePrefix: String { "d" }

    public static func blasGemm(
        transA: Transpose, transB: Transpose, m: Int32, n: Int32, k: Int32,
        alpha: Double, a: UnsafePointer<Double>?, lda: Int32, b: UnsafePointer<Double>?, ldb: Int32,
        beta: Double, c: UnsafeMutablePointer<Double>?, ldc: Int32
    ) {
        cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func blasGemv(
        trans: Transpose, m: Int32, n: Int32, alpha: Double, a: UnsafePointer<Double>?, lda: Int32,
        x: UnsafePointer<Double>?, incx: Int32, beta: Double, y: UnsafeMutablePointer<Double>?, incy: Int32
    ) {
        cblas_dgemv(CblasRowMajor, trans.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    public static func blasDot(n: Int32, x: UnsafePointer<Double>?, incx: Int32, y: UnsafePointer<Double>?, incy: Int32) -> Double {
        cblas_ddot(n, x, incx, y, incy)
    }

    public static func blasAxpy(
        n: Int32, alpha: Double, x: UnsafePointer<Double>?, incx: Int32, y: UnsafeMutablePointer<Double>?, incy: Int32
    ) {
        cblas_daxpy(n, alpha, x, incx, y, incy)
    }

    public static func lapackGesv(
        n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32,
        ipiv: UnsafeMutablePointer<Int32>?, b: UnsafeMutablePointer<Double>?, ldb: Int32
    ) -> Int32 {
        LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, nrhs, a, lda, ipiv, b, ldb)
    }

    public static func lapackGels(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32,
        b: UnsafeMutablePointer<Double>?, ldb: Int32
    ) -> Int32 {
        LAPACKE_dgels(LAPACK_ROW_MAJOR, lapackChar("N"), m, n, nrhs, a, lda, b, ldb)
    }

    public static func lapackGelsd(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32,
        b: UnsafeMutablePointer<Double>?, ldb: Int32, s: UnsafeMutablePointer<Double>?, rcond: Double,
        rank: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        LAPACKE_dgelsd(LAPACK_ROW_MAJOR, m, n, nrhs, a, lda, b, ldb, s, rcond, rank)
    }

    public static func lapackPotrf(n: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32) -> Int32 {
        LAPACKE_dpotrf(LAPACK_ROW_MAJOR, lapackChar("L"), n, a, lda)
    }

    public static func lapackPotrs(
        n: Int32, nrhs: Int32, a: UnsafePointer<Double>?, lda: Int32, b: UnsafeMutablePointer<Double>?, ldb: Int32
    ) -> Int32 {
        LAPACKE_dpotrs(LAPACK_ROW_MAJOR, lapackChar("L"), n, nrhs, a, lda, b, ldb)
    }

    public static func lapackSyevd(
        vectors: Bool, n: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32, w: UnsafeMutablePointer<Double>?
    ) -> Int32 {
        LAPACKE_dsyevd(LAPACK_ROW_MAJOR, lapackChar(vectors ? "V" : "N"), lapackChar("U"), n, a, lda, w)
    }

    public static func lapackGetrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32, ipiv: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        LAPACKE_dgetrf(LAPACK_ROW_MAJOR, m, n, a, lda, ipiv)
    }

    public static func lapackGetri(
        n: Int32, a: UnsafeMutablePointer<Double>?, lda: Int32, ipiv: UnsafePointer<Int32>?
    ) -> Int32 {
        LAPACKE_dgetri(LAPACK_ROW_MAJOR, n, a, lda, ipiv)
    }

    public static func containsNonFinite(_ values: UnsafeBufferPointer<Double>) -> Bool {
        // NaN and ±inf both make x - x non-zero (NaN), so one branch-free pass suffices.
        var probe: Double = 0
        for x in values { probe += x - x }
        return probe.isNaN
    }

    public static func naturalLogarithm(_ x: Double) -> Double { log(x) }
}
