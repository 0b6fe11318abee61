import LinearAlgebra
import Testing

@Suite struct MatrixTests {
    @Test func elementsAreRowMajor() throws {
        let a = try Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        #expect(a[0, 2] == 3)
        #expect(a[1, 0] == 4)
        #expect(a.row(1) == [4, 5, 6])
        #expect(a.column(1) == [2, 5])
    }

    @Test func initFromRowsMatchesRowMajorElements() throws {
        let a = try Matrix<Float>([[1, 2, 3], [4, 5, 6]])
        #expect(a.rows == 2 && a.columns == 3)
        #expect(a.elements == [1, 2, 3, 4, 5, 6])
    }

    @Test func elementCountMustMatchShape() {
        let error = #expect(throws: LinearAlgebraError.self) {
            try Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5])
        }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.message.contains("5 elements cannot fill a 2×3 matrix") == true)
    }

    @Test func raggedRowsAreRejected() {
        let error = #expect(throws: LinearAlgebraError.self) { try Matrix<Double>([[1, 2], [3]]) }
        #expect(error?.code == .dimensionMismatch)
    }

    @Test func negativeDimensionsAreRejected() {
        let error = #expect(throws: LinearAlgebraError.self) { try Matrix<Float>(rows: -1, columns: 2) }
        #expect(error?.code == .illegalArgument)
    }

    @Test func repeatingFillsEveryElement() throws {
        let a = try Matrix<Double>(rows: 2, columns: 2, repeating: 7)
        #expect(a.elements == [7, 7, 7, 7])
    }

    @Test func identityHasOnesOnTheDiagonalOnly() throws {
        let i3 = try Matrix<Double>.identity(3)
        #expect(i3.elements == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func transposeSwapsIndices() throws {
        let a = try Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let t = a.transposed
        #expect(t.rows == 3 && t.columns == 2)
        #expect(t.elements == [1, 4, 2, 5, 3, 6])
        #expect(t.transposed == a)
    }

    @Test func subscriptSetWritesOneElement() throws {
        var a = try Matrix<Float>(rows: 2, columns: 2)
        a[1, 0] = 5
        #expect(a.elements == [0, 0, 5, 0])
    }

    @Test func columnVectorSharesTheVectorLayout() {
        let v = Matrix<Double>(column: [1, 2, 3])
        #expect(v.rows == 3 && v.columns == 1 && v.elements == [1, 2, 3])
    }
}
