internal import CCBLAS

/// The number of threads OpenBLAS uses for one call.
public var blasThreadCount: Int { Int(openblas_get_num_threads()) }

/// Sets the number of threads OpenBLAS uses for each call (values below 1 become 1).
///
/// Callers that already run one job per core (training many groups in parallel) should set 1:
/// nested BLAS threads oversubscribe the cores and make each call slower, not faster.
public func setBLASThreadCount(_ count: Int) {
    openblas_set_num_threads(Int32(clamping: max(1, count)))
}
