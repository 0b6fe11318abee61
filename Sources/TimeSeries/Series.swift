/// One metric of one entity on a regular grid. Missing values are `.nan`.
public struct Series: Sendable, Hashable {
    public var id: String
    public var grid: TimeGrid
    public var values: [Double]
    /// The metric name (cpu, memory, tps, …) when known.
    public var metric: String?
    /// The VM group this series belongs to; nil means the series is its own group.
    public var group: String?

    public init(id: String, grid: TimeGrid, values: [Double], metric: String? = nil, group: String? = nil) {
        precondition(grid.count == values.count, "grid and values must have the same length")
        self.id = id
        self.grid = grid
        self.values = values
        self.metric = metric
        self.group = group
    }

    /// The group used for modelling: `group`, or the series id when no group is given.
    public var effectiveGroup: String { group ?? id }

    public var count: Int { values.count }

    /// The number of missing (`.nan`) values.
    public var missingCount: Int { values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) } }
}
