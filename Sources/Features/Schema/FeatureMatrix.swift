/// Feature values for consecutive grid positions: `rows × columns`, row-major.
public struct FeatureMatrix: Sendable, Hashable {
    public let rows: Int
    public let columns: Int
    public let names: [String]
    /// Row-major values: element (r, c) is at `r * columns + c`.
    public let values: [Double]

    public init(rows: Int, columns: Int, names: [String], values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.names = names
        self.values = values
    }

    /// The value at row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Double { values[r * columns + c] }

    /// The values of row `r`.
    public func row(_ r: Int) -> ArraySlice<Double> { values[(r * columns)..<((r + 1) * columns)] }

    /// The values of the column called `name`, or nil when there is none.
    public func column(named name: String) -> [Double]? {
        guard let c = names.firstIndex(of: name) else { return nil }
        return (0..<rows).map { values[$0 * columns + c] }
    }

    /// The first `n` rows (all of them when `n >= rows`).
    public func prefix(rows n: Int) -> FeatureMatrix {
        let kept = Swift.max(0, Swift.min(n, rows))
        return FeatureMatrix(rows: kept, columns: columns, names: names, values: Array(values[0..<(kept * columns)]))
    }

    /// The columns of `self` followed by those of `other` (same row count).
    public func appendingColumns(of other: FeatureMatrix) -> FeatureMatrix? {
        guard other.rows == rows else { return nil }
        var out: [Double] = []
        out.reserveCapacity(rows * (columns + other.columns))
        for r in 0..<rows {
            out += row(r)
            out += other.row(r)
        }
        return FeatureMatrix(rows: rows, columns: columns + other.columns, names: names + other.names, values: out)
    }
}
