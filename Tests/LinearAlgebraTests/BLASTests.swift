import LinearAlgebra
import Testing

// Small-integer products are exact in both Float and Double, so these compare with ==.
//
//   A = [1 2 3]   B = [ 7  8]   A·B = [1·7+2·9+3·11  1·8+2·10+3·12] = [ 58  64]
//       [4 5 6]       [ 9 10]         [4·7+5·9+6·11  4·8+5·10+6·12]   [139 154]
//                     [11 12]
private func operands<S: LinearAlgebraScalar>(_: S.Type) throws -> (a: Matrix<S>, b: Matrix<S>) {
    (try Matrix([[1, 2, 3], [4, 5, 6]]), try Matrix([[7, 8], [9, 10], [11, 12]]))
}

private let product: [[Double]] = [[58, 64], [139, 154]]

@Suite struct BLASTests {
    private func checkPlainProduct<S: LinearAlgebraScalar>(_ type: S.Type) throws {
        let (a, b) = try operands(type)
        let c = try a * b
        #expect(c.rows == 2 && c.columns == 2)
        #expect(c.elements == [58, 64, 139, 154], "\(S.self)")
    }

    @Test func gemmMultiplies2x3By3x2() throws {
        try checkPlainProduct(Float.self)
        try checkPlainProduct(Double.self)
    }

    private func checkTransposedOperands<S: LinearAlgebraScalar>(_ type: S.Type) throws {
        let (a, b) = try operands(type)
        // Aᵀ and Bᵀ stored explicitly; op() must undo the transposition.
        let at: Matrix<S> = try Matrix([[1, 4], [2, 5], [3, 6]])
        let bt: Matrix<S> = try Matrix([[7, 9, 11], [8, 10, 12]])
        #expect(try matmul(at, b, transA: .transpose).elements == [58, 64, 139, 154], "\(S.self)")
        #expect(try matmul(a, bt, transB: .transpose).elements == [58, 64, 139, 154], "\(S.self)")
        #expect(try matmul(at, bt, transA: .transpose, transB: .transpose).elements == [58, 64, 139, 154], "\(S.self)")
        // AᵀA (3×3): entry (i, j) = Σ_r A[r,i]·A[r,j], e.g. (0,0) = 1+16, (0,1) = 2+20, (2,2) = 9+36.
        let gram = try matmul(a, a, transA: .transpose)
        #expect(gram.elements == [17, 22, 27, 22, 29, 36, 27, 36, 45], "\(S.self)")
    }

    @Test func gemmHonoursTransposeFlags() throws {
        try checkTransposedOperands(Float.self)
        try checkTransposedOperands(Double.self)
    }

    private func checkAlphaBeta<S: LinearAlgebraScalar>(_ type: S.Type) throws {
        let (a, b) = try operands(type)
        var c = try Matrix<S>(rows: 2, columns: 2, repeating: 1)
        let before = c.withUnsafeBufferPointer { $0.baseAddress }
        // 2·AB + 3·1: 2·58+3 = 119, 2·64+3 = 131, 2·139+3 = 281, 2·154+3 = 311.
        try gemm(a, b, into: &c, alpha: 2, beta: 3)
        #expect(c.elements == [119, 131, 281, 311], "\(S.self)")
        // The result is written in place: the same buffer, no new allocation.
        #expect(c.withUnsafeBufferPointer { $0.baseAddress } == before)
    }

    @Test func gemmAccumulatesIntoExistingResult() throws {
        try checkAlphaBeta(Float.self)
        try checkAlphaBeta(Double.self)
    }

    @Test func unsafeGemmRespectsLeadingDimensions() throws {
        // A is the left 2×3 block of a 2×4 buffer (lda 4, padding 99); C is the left 2×2 block of a 2×3 buffer.
        let a: [Float] = [1, 2, 3, 99, 4, 5, 6, 99]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c: [Float] = [-1, -1, -1, -1, -1, -1]
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try c.withUnsafeMutableBufferPointer { pc in
                    try LinearAlgebra.gemm(transA: .noTranspose, transB: .noTranspose, m: 2, n: 2, k: 3,
                             alpha: 1, a: pa.baseAddress, lda: 4, b: pb.baseAddress, ldb: 2,
                             beta: 0, c: pc.baseAddress, ldc: 3)
                }
            }
        }
        // The padding column of C (index 2 of each row) stays untouched.
        #expect(c == [58, 64, -1, 139, 154, -1])
    }

    @Test func unsafeGemmRejectsTooSmallLeadingDimension() {
        let a: [Double] = [1, 2, 3, 4, 5, 6]
        var c: [Double] = [0, 0, 0, 0]
        let error = #expect(throws: LinearAlgebraError.self) {
            try a.withUnsafeBufferPointer { pa in
                try c.withUnsafeMutableBufferPointer { pc in
                    try gemm(transA: .noTranspose, transB: .transpose, m: 2, n: 2, k: 3,
                             alpha: 1, a: pa.baseAddress, lda: 2, b: pa.baseAddress, ldb: 3,
                             beta: 0, c: pc.baseAddress, ldc: 2)
                }
            }
        }
        #expect(error?.code == .illegalArgument)
        #expect(error?.routine == "dgemm")
        #expect(c == [0, 0, 0, 0])
    }

    @Test func gemmRejectsMismatchedInnerDimension() throws {
        let (a, _) = try operands(Double.self)
        let error = #expect(throws: LinearAlgebraError.self) { try a * a }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.message == "dgemm: op(A) is 2×3 but op(B) is 2×3")
    }

    @Test func gemmRejectsWronglyShapedResult() throws {
        let (a, b) = try operands(Float.self)
        var c = try Matrix<Float>(rows: 3, columns: 3)
        let error = #expect(throws: LinearAlgebraError.self) { try gemm(a, b, into: &c) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.routine == "sgemm")
    }

    private func checkGemv<S: LinearAlgebraScalar>(_ type: S.Type) throws {
        let (a, _) = try operands(type)
        // A·[1,1,1] = row sums [6, 15]; Aᵀ·[1,2] = [1+8, 2+10, 3+12] = [9, 12, 15].
        #expect(try a * [1, 1, 1] == [6, 15], "\(S.self)")
        #expect(try matvec(a, [1, 2], trans: .transpose) == [9, 12, 15], "\(S.self)")
        // 2·A·[1,1,1] − [1,1] = [11, 29].
        var y: [S] = [1, 1]
        try gemv(a, [1, 1, 1], into: &y, alpha: 2, beta: -1)
        #expect(y == [11, 29], "\(S.self)")
    }

    @Test func gemvMultipliesMatrixByVector() throws {
        try checkGemv(Float.self)
        try checkGemv(Double.self)
    }

    @Test func gemvRejectsWrongVectorLength() throws {
        let (a, _) = try operands(Double.self)
        let error = #expect(throws: LinearAlgebraError.self) { try a * [1, 2] }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.routine == "dgemv")
    }

    @Test func dotAndAxpyMatchHandSums() throws {
        // 1·4 + 2·5 + 3·6 = 32.
        #expect(try dot([1, 2, 3] as [Float], [4, 5, 6]) == 32)
        #expect(try dot([1, 2, 3] as [Double], [4, 5, 6]) == 32)
        // [1,1,1] + 2·[1,2,3] = [3, 5, 7].
        var y: [Double] = [1, 1, 1]
        try axpy(alpha: 2, [1, 2, 3], &y)
        #expect(y == [3, 5, 7])
        let error = #expect(throws: LinearAlgebraError.self) { try dot([1, 2] as [Double], [1, 2, 3]) }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.routine == "ddot")
    }

    @Test func emptyProductsAreZeroNotCrashes() throws {
        // A 2×0 times a 0×3 matrix is the 2×3 zero matrix (an empty sum).
        let a = try Matrix<Double>(rows: 2, columns: 0)
        let b = try Matrix<Double>(rows: 0, columns: 3)
        let c = try a * b
        #expect(c.rows == 2 && c.columns == 3 && c.elements == [0, 0, 0, 0, 0, 0])
    }
}

@Suite(.serialized) struct BLASThreadTests {
    @Test func threadCountCanBeSetAndRestored() {
        let original = blasThreadCount
        setBLASThreadCount(1)
        #expect(blasThreadCount == 1)
        setBLASThreadCount(0)
        #expect(blasThreadCount == 1, "values below 1 are clamped to 1")
        setBLASThreadCount(original)
        #expect(blasThreadCount == original)
    }
}
