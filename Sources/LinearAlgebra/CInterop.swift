internal import CCBLAS

extension Transpose {
    var cblas: CBLAS_TRANSPOSE { self == .noTranspose ? CblasNoTrans : CblasTrans }
}

/// A LAPACK option character (`'N'`, `'L'`, …) as the C `char` LAPACKE expects.
func lapackChar(_ c: Unicode.Scalar) -> CChar { CChar(truncatingIfNeeded: c.value) }
