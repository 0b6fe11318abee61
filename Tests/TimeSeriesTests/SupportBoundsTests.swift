import Testing
import TimeSeries

@Suite struct SupportBoundsTests {
    @Test func clampingKeepsQuantilesOrderedAndInsideTheSupport() throws {
        var d = try ForecastDistribution(grid: TimeGrid(axis: .index, start: 10, step: 1, count: 2), levels: [0.05, 0.5, 0.95],
                                         mean: [3, 99], quantiles: [[-50, 3, 56], [80, 99, 130]])
        let changed = d.clamp(to: SupportBounds(lower: 0, upper: 100))
        #expect(changed)
        #expect(d.quantiles == [[0, 3, 56], [80, 99, 100]])
        #expect(d.mean == [3, 99])
        let again = d.clamp(to: SupportBounds(lower: 0, upper: 100)), unbounded = d.clamp(to: .unbounded)
        #expect(!again, "nothing left to clip")
        #expect(!unbounded)
    }

    @Test func problemsAreNamed() {
        #expect(SupportBounds(lower: 0, upper: 100).problem == nil)
        #expect(SupportBounds(lower: 1, upper: 1).problem != nil)
        #expect(SupportBounds(lower: .infinity).problem != nil)
    }
}
