import LinearAlgebra
import RealModule
import Testing

extension LinearAlgebraScalar {
    /// Tolerance for LAPACK results on the small, well-conditioned problems in these tests.
    ///
    /// Backward-stable LAPACK routines are accurate to about c·n·κ(A)·ε; here n ≤ 4 and κ(A) < 20, so
    /// the error stays below ~80ε. 256ε (5.7e-14 for Double, 3.1e-5 for Float) adds a safety factor
    /// while still catching any wrong answer, which would be off by far more.
    static var lapackTolerance: Self { 256 * ulpOfOne }
}

/// Expects `actual` to match `expected` elementwise within `tolerance`, relative to the largest
/// expected magnitude (so that expected zeros are checked too).
func expectClose<S: LinearAlgebraScalar>(
    _ actual: [S], _ expected: [S], tolerance: S = S.lapackTolerance, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what) [\(S.self)]: length", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    let scale = max(1, expected.map(\.magnitude).max() ?? 1)
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        #expect(a.isApproximatelyEqual(to: e, absoluteTolerance: tolerance * scale, relativeTolerance: tolerance),
                "\(what) [\(S.self)] element \(index): \(a) vs expected \(e)", sourceLocation: sourceLocation)
    }
}
