import LinearAlgebra
import Testing

// A = [[2,1,1],[1,3,2],[1,0,0]], det A = 2(0−0) − 1(0−2) + 1(0−3) = −1, so A is non-singular.
// With x = [1,2,3]: b = [2+2+3, 1+6+6, 1] = [7, 13, 1].
private func system<S: LinearAlgebraScalar>(_: S.Type) throws -> Matrix<S> {
    try Matrix([[2, 1, 1], [1, 3, 2], [1, 0, 0]])
}

@Suite struct SolveTests {
    private func checkSolve<S: LinearAlgebraScalar>(_ type: S.Type) throws {
        let a = try system(type)
        expectClose(try solve(a, [7, 13, 1]), [1, 2, 3], "gesv one right-hand side")
        // Second column of B is A's first column, so its solution is e₁ = [1, 0, 0].
        let b: Matrix<S> = try Matrix([[7, 2], [13, 1], [1, 1]])
        let x = try solve(a, b)
        expectClose(x.elements, [1, 1, 2, 0, 3, 0], "gesv two right-hand sides")
    }

    @Test func gesvSolvesKnown3x3System() throws {
        try checkSolve(Float.self)
        try checkSolve(Double.self)
    }

    private func checkSingular<S: LinearAlgebraScalar>(_: S.Type) throws {
        // Row 2 = 2·row 1. Partial pivoting swaps the rows, then U₂₂ = 2 − (1/2)·4 = 0 exactly.
        let a: Matrix<S> = try Matrix([[1, 2], [2, 4]])
        let error = #expect(throws: LinearAlgebraError.self) { try solve(a, [1, 2]) }
        let prefix = S.self == Float.self ? "s" : "d"
        #expect(error?.code == .singular)
        #expect(error?.routine == prefix + "gesv")
        #expect(error?.info == 2)
        #expect(error?.message == "\(prefix)gesv: U(2,2) is exactly zero, so the matrix is singular (info 2)")
    }

    @Test func singularMatrixThrowsSingularNamingTheRoutine() throws {
        try checkSingular(Float.self)
        try checkSingular(Double.self)
    }

    @Test func nonSquareMatrixIsRejected() throws {
        let a = try Matrix<Double>(rows: 2, columns: 3)
        let error = #expect(throws: LinearAlgebraError.self) { try solve(a, [1, 2]) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.routine == "dgesv")
    }

    @Test func rightHandSideLengthMustMatch() throws {
        let error = #expect(throws: LinearAlgebraError.self) { try solve(try system(Float.self), [1, 2]) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.message == "sgesv: A is 3×3 but B has 2 rows")
    }

    @Test func infiniteInputIsRejected() throws {
        var a = try system(Double.self)
        a[1, 1] = .infinity
        let error = #expect(throws: LinearAlgebraError.self) { try solve(a, [1, 2, 3]) }
        #expect(error?.code == .nonFiniteInput)
    }

    private func checkInverse<S: LinearAlgebraScalar>(_: S.Type) throws {
        // [[4,7],[2,6]]⁻¹ = (1/(24−14))·[[6,−7],[−2,4]] = [[0.6,−0.7],[−0.2,0.4]].
        let a: Matrix<S> = try Matrix([[4, 7], [2, 6]])
        expectClose(try inverse(a).elements, [0.6, -0.7, -0.2, 0.4], "inverse")
    }

    @Test func inverseMatchesAdjugateFormula() throws {
        try checkInverse(Float.self)
        try checkInverse(Double.self)
    }

    @Test func inverseOfSingularMatrixNamesGetrf() throws {
        let a = try Matrix<Double>([[1, 2], [2, 4]])
        let error = #expect(throws: LinearAlgebraError.self) { try inverse(a) }
        #expect(error?.code == .singular)
        #expect(error?.routine == "dgetrf")
        #expect(error?.info == 2)
    }
}
