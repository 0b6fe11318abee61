import LinearAlgebra
import RealModule
import Testing

// A = [[4,12,−16],[12,37,−43],[−16,−43,98]] = L·Lᵀ with L = [[2,0,0],[6,1,0],[−8,5,3]]:
//   2·2 = 4, 6·2 = 12, 6² + 1² = 37, −8·2 = −16, −8·6 + 5·1 = −43, 8² + 5² + 3² = 98.
// det A = (2·1·3)² = 36, so log det A = log 36.
// With x = [1,1,1]: b = row sums = [0, 6, 39].
private func spd<S: LinearAlgebraScalar>(_: S.Type) throws -> Matrix<S> {
    try Matrix([[4, 12, -16], [12, 37, -43], [-16, -43, 98]])
}

@Suite struct CholeskyTests {
    private func checkFactor<S: LinearAlgebraScalar & Real>(_ type: S.Type) throws {
        let cholesky = try Cholesky(try spd(type))
        expectClose(cholesky.factor.elements, [2, 0, 0, 6, 1, 0, -8, 5, 3], "factor L")
        expectClose([cholesky.logDeterminant], [S.log(36)], "log det")
        expectClose(try cholesky.solve([0, 6, 39]), [1, 1, 1], "potrs")
    }

    @Test func factorOfKnownSPDMatrixMatchesHandFactor() throws {
        try checkFactor(Float.self)
        try checkFactor(Double.self)
    }

    @Test func solveHandlesSeveralRightHandSides() throws {
        let cholesky = try Cholesky(try spd(Double.self))
        // Second column: A·[1,0,0] = A's first column [4, 12, −16].
        let b = try Matrix<Double>([[0, 4], [6, 12], [39, -16]])
        expectClose(try cholesky.solve(b).elements, [1, 1, 1, 0, 1, 0], "potrs two right-hand sides")
    }

    @Test func logDeterminantAvoidsOverflow() throws {
        // diag(1e200, 1e200): det = 1e400 overflows Double, but log det = 400·log 10 ≈ 921.03.
        let a = try Matrix<Double>([[1e200, 0], [0, 1e200]])
        expectClose([try Cholesky(a).logDeterminant], [400 * Double.log(10)], "log det")
    }

    private func checkNotPositiveDefinite<S: LinearAlgebraScalar>(_: S.Type) throws {
        // Leading minors: 1 > 0, then det [[1,2],[2,1]] = 1 − 4 = −3 < 0, so order 2 fails.
        let a: Matrix<S> = try Matrix([[1, 2], [2, 1]])
        let error = #expect(throws: LinearAlgebraError.self) { try Cholesky(a) }
        let prefix = S.self == Float.self ? "s" : "d"
        #expect(error?.code == .notPositiveDefinite)
        #expect(error?.info == 2)
        #expect(error?.message == "\(prefix)potrf: the leading minor of order 2 is not positive definite (info 2)")
    }

    @Test func nonPositiveDefiniteMatrixThrows() throws {
        try checkNotPositiveDefinite(Float.self)
        try checkNotPositiveDefinite(Double.self)
    }

    @Test func nonSquareMatrixIsRejected() throws {
        let error = #expect(throws: LinearAlgebraError.self) { try Cholesky(try Matrix<Float>(rows: 2, columns: 1)) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.routine == "spotrf")
    }

    @Test func solveRejectsWrongLength() throws {
        let cholesky = try Cholesky(try spd(Double.self))
        let error = #expect(throws: LinearAlgebraError.self) { try cholesky.solve([1, 2]) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.routine == "dpotrs")
    }
}
