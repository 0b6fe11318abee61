import LinearAlgebra
import RealModule
import Testing

// Line fit y ≈ c₀ + c₁·x through (0,1), (1,2), (2,2), (3,4), by the closed-form normal equations:
//   n = 4, Σx = 6, Σx² = 14, Σy = 9, Σxy = 0 + 2 + 4 + 12 = 18
//   c₁ = (nΣxy − ΣxΣy) / (nΣx² − (Σx)²) = (72 − 54) / (56 − 36) = 0.9
//   c₀ = (Σy − c₁Σx) / n = (9 − 5.4) / 4 = 0.9
// Singular values of A = [1 x]: AᵀA = [[4, 6], [6, 14]] has trace 18 and determinant 20, so its
// eigenvalues are 9 ± √61 and σ = √(9 ± √61).
private func lineFit<S: LinearAlgebraScalar>(_: S.Type) throws -> (a: Matrix<S>, y: [S]) {
    (try Matrix([[1, 0], [1, 1], [1, 2], [1, 3]]), [1, 2, 2, 4])
}

@Suite struct LeastSquaresTests {
    private func checkLineFit<S: LinearAlgebraScalar & Real>(_ type: S.Type) throws {
        let (a, y) = try lineFit(type)
        let fit = try leastSquares(a, y)
        expectClose(fit.coefficients, [0.9, 0.9], "gelsd coefficients")
        #expect(fit.rank == 2)
        let root61 = S.sqrt(61)
        expectClose(fit.singularValues, [S.sqrt(9 + root61), S.sqrt(9 - root61)], "singular values")
        expectClose(try leastSquaresQR(a, y), [0.9, 0.9], "gels coefficients")
    }

    @Test func overdeterminedLineFitMatchesNormalEquations() throws {
        try checkLineFit(Float.self)
        try checkLineFit(Double.self)
    }

    @Test func multipleRightHandSidesAreSolvedColumnByColumn() throws {
        let (a, y) = try lineFit(Double.self)
        // Second column is y = x exactly, so its fit is c₀ = 0, c₁ = 1.
        let b = try Matrix<Double>(rows: 4, columns: 2, elements: [y[0], 0, y[1], 1, y[2], 2, y[3], 3])
        let fit = try leastSquares(a, b)
        #expect(fit.solution.rows == 2 && fit.solution.columns == 2)
        expectClose(fit.solution.column(0), [0.9, 0.9], "first right-hand side")
        expectClose(fit.solution.column(1), [0, 1], "second right-hand side")
        expectClose(try leastSquaresQR(a, b).elements, fit.solution.elements, "gels agrees with gelsd")
    }

    // A = [[1,2],[2,4],[3,6]] has column 2 = 2·column 1, so rank 1 and A = u·[1 2] with u = [1,2,3].
    // b = u is fitted exactly by every x with x₁ + 2x₂ = 1; the minimum-norm one is [1,2]/5 = [0.2, 0.4].
    // σ₁ = ‖u‖·‖[1,2]‖ = √14·√5 = √70, σ₂ = 0.
    private func checkRankDeficient<S: LinearAlgebraScalar & Real>(_: S.Type) throws {
        let a: Matrix<S> = try Matrix([[1, 2], [2, 4], [3, 6]])
        let fit = try leastSquares(a, [1, 2, 3])
        #expect(fit.rank == 1, "\(S.self)")
        expectClose(fit.coefficients, [0.2, 0.4], "minimum-norm solution")
        expectClose(fit.singularValues, [S.sqrt(70), 0], "singular values")
    }

    @Test func rankDeficientSystemGetsMinimumNormSolution() throws {
        try checkRankDeficient(Float.self)
        try checkRankDeficient(Double.self)
    }

    @Test func underdeterminedSystemGetsMinimumNormSolution() throws {
        // x₁ + x₂ = 2: the shortest solution is [1, 1]; σ = ‖[1, 1]‖ = √2.
        let a = try Matrix<Double>([[1, 1]])
        let fit = try leastSquares(a, [2])
        expectClose(fit.coefficients, [1, 1], "gelsd")
        expectClose(fit.singularValues, [Double.sqrt(2)], "singular value")
        expectClose(try leastSquaresQR(a, [2]), [1, 1], "gels")
    }

    @Test func qrRejectsRankDeficientMatrix() throws {
        // A zero column makes R₂₂ exactly zero, which gels reports as info 2.
        let a = try Matrix<Double>([[1, 0], [1, 0], [1, 0]])
        let error = #expect(throws: LinearAlgebraError.self) { try leastSquaresQR(a, [1, 2, 3]) }
        #expect(error?.code == .rankDeficient)
        #expect(error?.routine == "dgels")
        #expect(error?.info == 2)
    }

    @Test func mismatchedRightHandSideIsRejected() throws {
        let (a, _) = try lineFit(Float.self)
        let error = #expect(throws: LinearAlgebraError.self) { try leastSquares(a, [1, 2, 3]) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.message == "sgelsd: A is 4×2 but B has 3 rows")
    }

    @Test func nonFiniteInputIsRejected() throws {
        let (a, _) = try lineFit(Double.self)
        let error = #expect(throws: LinearAlgebraError.self) { try leastSquares(a, [1, .nan, 2, 3]) }
        #expect(error?.code == .nonFiniteInput)
        #expect(error?.message == "dgelsd: B contains NaN or infinity")
    }
}
