import LinearAlgebra
import RealModule
import Testing

/// `actual` flipped to the sign of `expected` (eigenvectors are defined only up to sign).
private func aligned<S: LinearAlgebraScalar>(_ actual: [S], to expected: [S]) throws -> [S] {
    try dot(actual, expected) < 0 ? actual.map { -$0 } : actual
}

@Suite struct SymmetricEigenTests {
    private func check2x2<S: LinearAlgebraScalar & Real>(_: S.Type) throws {
        // [[2,1],[1,2]]: λ = 2 ∓ 1 with eigenvectors [1,−1]/√2 and [1,1]/√2.
        let a: Matrix<S> = try Matrix([[2, 1], [1, 2]])
        let eigen = try SymmetricEigen(a)
        expectClose(eigen.values, [1, 3], "eigenvalues")
        let r = 1 / S.sqrt(2)
        expectClose(try aligned(eigen.vectors.column(0), to: [r, -r]), [r, -r], "eigenvector for 1")
        expectClose(try aligned(eigen.vectors.column(1), to: [r, r]), [r, r], "eigenvector for 3")
    }

    @Test func eigenpairsOf2x2MatchClosedForm() throws {
        try check2x2(Float.self)
        try check2x2(Double.self)
    }

    private func check3x3<S: LinearAlgebraScalar & Real>(_: S.Type) throws {
        // The second-difference matrix tridiag(−1, 2, −1) of order 3 has λₖ = 2 − 2cos(kπ/4):
        // 2 − √2, 2, 2 + √2, with eigenvectors [1, √2, 1]/2, [1, 0, −1]/√2, [1, −√2, 1]/2
        // (e.g. A·[1,√2,1] = [2−√2, 2√2−2, 2−√2] = (2−√2)·[1,√2,1]).
        let a: Matrix<S> = try Matrix([[2, -1, 0], [-1, 2, -1], [0, -1, 2]])
        let eigen = try SymmetricEigen(a)
        let s2 = S.sqrt(2)
        expectClose(eigen.values, [2 - s2, 2, 2 + s2], "eigenvalues")
        let expected: [[S]] = [[0.5, s2 / 2, 0.5], [1 / s2, 0, -1 / s2], [0.5, -s2 / 2, 0.5]]
        for (j, vector) in expected.enumerated() {
            expectClose(try aligned(eigen.vectors.column(j), to: vector), vector, "eigenvector \(j)")
        }
        expectClose(try symmetricEigenvalues(a), [2 - s2, 2, 2 + s2], "values-only path")
    }

    @Test func eigenpairsOf3x3SecondDifferenceMatchClosedForm() throws {
        try check3x3(Float.self)
        try check3x3(Double.self)
    }

    @Test func onlyTheUpperTriangleIsRead() throws {
        // The lower triangle holds junk; the result must be that of [[2,1],[1,2]].
        let a = try Matrix<Double>([[2, 1], [100, 2]])
        expectClose(try symmetricEigenvalues(a), [1, 3], "eigenvalues")
    }

    @Test func nonSquareMatrixIsRejected() throws {
        let error = #expect(throws: LinearAlgebraError.self) { try SymmetricEigen(try Matrix<Double>(rows: 2, columns: 3)) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.message == "dsyevd: A is 2×3, not square")
    }
}
