/// The full routine name for `Scalar`, e.g. `"dgemm"` for `Double` and `"gemm"`.
@inline(__always)
func routineName<Scalar: LinearAlgebraScalar>(_: Scalar.Type, _ base: String) -> String {
    Scalar.routinePrefix + base
}

/// `value` as the 32-bit integer OpenBLAS and LAPACKE take, or an error naming `what`.
@inline(__always)
func cInt(_ value: Int, _ what: @autoclosure () -> String, _ routine: @autoclosure () -> String)
    throws(LinearAlgebraError) -> Int32
{
    guard let result = Int32(exactly: value), result >= 0 else {
        throw .illegalArgument(routine(), "\(what()) = \(value) is negative or exceeds the 32-bit BLAS index range")
    }
    return result
}

/// Throws `.nonFiniteInput` when `values` holds NaN or infinity, which LAPACK would turn into garbage.
func checkFinite<Scalar: LinearAlgebraScalar>(
    _ values: [Scalar], _ name: String, _ routine: @autoclosure () -> String
) throws(LinearAlgebraError) {
    let bad = values.withUnsafeBufferPointer { Scalar.containsNonFinite($0) }
    if bad {
        throw LinearAlgebraError(.nonFiniteInput, routine: routine(), "\(name) contains NaN or infinity")
    }
}
