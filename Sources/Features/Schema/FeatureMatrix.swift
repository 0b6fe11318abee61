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
}
