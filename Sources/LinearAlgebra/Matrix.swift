/// A dense real matrix stored row-major in one contiguous array.
///
/// Element (i, j) lives at `elements[i * columns + j]`, so a row is contiguous and the buffer can be
/// handed to row-major BLAS/LAPACK with leading dimension `columns`.
public struct Matrix<Scalar: LinearAlgebraScalar>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    @usableFromInline var storage: [Scalar]

    /// The elements in row-major order (`rows * columns` of them).
    @inlinable public var elements: [Scalar] { storage }

    /// The number of elements, `rows * columns`.
    @inlinable public var count: Int { storage.count }

    /// True when the matrix has as many rows as columns.
    @inlinable public var isSquare: Bool { rows == columns }

    @inlinable init(uncheckedRows rows: Int, columns: Int, storage: [Scalar]) {
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A `rows`×`columns` matrix with every element equal to `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) throws(LinearAlgebraError) {
        let count = try Self.elementCount(rows: rows, columns: columns)
        self.init(uncheckedRows: rows, columns: columns, storage: Array(repeating: value, count: count))
    }

    /// A `rows`×`columns` matrix from row-major `elements`; throws unless there are exactly `rows * columns`.
    @inlinable
    public init(rows: Int, columns: Int, elements: [Scalar]) throws(LinearAlgebraError) {
        let count = try Self.elementCount(rows: rows, columns: columns)
        guard elements.count == count else {
            throw Self.shapeError("\(elements.count) elements cannot fill a \(rows)×\(columns) matrix (need \(count))")
        }
        self.init(uncheckedRows: rows, columns: columns, storage: elements)
    }

    /// A matrix from an array of rows, which must all have the same length.
    public init(_ rowArrays: [[Scalar]]) throws(LinearAlgebraError) {
        let columns = rowArrays.first?.count ?? 0
        var storage: [Scalar] = []
        storage.reserveCapacity(rowArrays.count * columns)
        for (i, row) in rowArrays.enumerated() {
            guard row.count == columns else {
                throw Self.shapeError("row \(i) has \(row.count) elements but row 0 has \(columns)")
            }
            storage.append(contentsOf: row)
        }
        self.init(uncheckedRows: rowArrays.count, columns: columns, storage: storage)
    }

    /// An n×1 matrix holding `vector`, sharing its storage layout (no copy of the buffer).
    @inlinable
    public init(column vector: [Scalar]) {
        self.init(uncheckedRows: vector.count, columns: 1, storage: vector)
    }

    /// The n×n identity matrix.
    @inlinable
    public static func identity(_ n: Int) throws(LinearAlgebraError) -> Matrix {
        var result = try Matrix(rows: n, columns: n)
        for i in 0..<n { result.storage[i * n + i] = 1 }
        return result
    }

    /// The element in row `i`, column `j` (zero-based); traps when out of range, like `Array`.
    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "matrix index out of range")
            return storage[i * columns + j]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "matrix index out of range")
            storage[i * columns + j] = newValue
        }
    }

    /// Row `i` as a new array.
    @inlinable
    public func row(_ i: Int) -> [Scalar] {
        precondition(i >= 0 && i < rows, "row index out of range")
        return Array(storage[i * columns ..< (i + 1) * columns])
    }

    /// Column `j` as a new array.
    @inlinable
    public func column(_ j: Int) -> [Scalar] {
        precondition(j >= 0 && j < columns, "column index out of range")
        var result: [Scalar] = []
        result.reserveCapacity(rows)
        for i in 0..<rows { result.append(storage[i * columns + j]) }
        return result
    }

    /// The transpose, a `columns`×`rows` matrix.
    @inlinable
    public var transposed: Matrix {
        if rows <= 1 || columns <= 1 {
            return Matrix(uncheckedRows: columns, columns: rows, storage: storage)
        }
        let result = [Scalar](unsafeUninitializedCapacity: storage.count) { out, initialized in
            storage.withUnsafeBufferPointer { src in
                for i in 0..<rows {
                    for j in 0..<columns { out[j * rows + i] = src[i * columns + j] }
                }
            }
            initialized = storage.count
        }
        return Matrix(uncheckedRows: columns, columns: rows, storage: result)
    }

    /// Calls `body` with the row-major elements; the pointer is valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with mutable access to the row-major elements; the shape cannot change.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    @usableFromInline
    static func elementCount(rows: Int, columns: Int) throws(LinearAlgebraError) -> Int {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow else {
            throw LinearAlgebraError(.illegalArgument, routine: nil, "a matrix cannot be \(rows)×\(columns)")
        }
        return count
    }

    @usableFromInline
    static func shapeError(_ detail: String) -> LinearAlgebraError {
        LinearAlgebraError(.dimensionMismatch, routine: nil, detail)
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        var text = "Matrix \(rows)×\(columns)"
        for i in 0..<rows {
            text += "\n["
            for j in 0..<columns { text += (j == 0 ? "" : ", ") + "\(storage[i * columns + j])" }
            text += "]"
        }
        return text
    }
}
