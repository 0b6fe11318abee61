/// Feature values for consecutive grid positions: `rows × columns`, row-major.
public struct FeatureMatrix: Sendable, Hashable {
    package let rows: Int
    package let columns: Int
    package let names: [String]
    /// Row-major values: element (r, c) is at `r * columns + c`.
    package let values: [Double]

    package init(rows: Int, columns: Int, names: [String], values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.names = names
        self.values = values
    }

    /// The value at row `r`, column `c`.
    package subscript(r: Int, c: Int) -> Double { values[r * columns + c] }

    /// The values of row `r`.
    package func row(_ r: Int) -> ArraySlice<Double> { values[(r * columns)..<((r + 1) * columns)] }

    /// The values of the column called `name`, or nil when there is none.
    package func column(named name: String) -> [Double]? {
        guard let c = names.firstIndex(of: name) else { return nil }
        return (0..<rows).map { values[$0 * columns + c] }
    }

    /// The first `n` rows (all of them when `n >= rows`).
    package func prefix(rows n: Int) -> FeatureMatrix {
        let kept = Swift.max(0, Swift.min(n, rows))
        return FeatureMatrix(rows: kept, columns: columns, names: names, values: Array(values[0..<(kept * columns)]))
    }

    /// The columns of `self` followed by those of `other` (same row count).
    package func appendingColumns(of other: FeatureMatrix) -> FeatureMatrix? {
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
