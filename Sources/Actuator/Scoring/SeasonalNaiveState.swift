import TimeSeries

/// The seasonal-naive forecast of one series kept incrementally: the last season's values, the
/// last observed value per season position, and running sums of squared lag-m and lag-1
/// differences. Each new point costs O(1) and the forecast equals `SeasonalNaive` run on the
/// whole history seen (same order of summation, so bit for bit).
struct SeasonalNaiveState: Sendable {
    let season: Int
    private(set) var count = 0
    /// Raw values of the last `season` positions, at index t mod season.
    private var ring: [Double]
    /// Last finite value seen at each season position (the fallback of a missing source value).
    private var lastFinite: [Double?]
    private var lastObserved: Double?
    private var previous = Double.nan
    private var seasonalSum = 0.0, seasonalCount = 0
    private var naiveSum = 0.0, naiveCount = 0

    init(season: Int) {
        self.season = max(1, season)
        ring = [Double](repeating: .nan, count: self.season)
        lastFinite = [Double?](repeating: nil, count: self.season)
    }

    mutating func append(_ values: [Double]) {
        for y in values {
            let slot = count % season
            if count >= season, y.isFinite, ring[slot].isFinite {
                let e = y - ring[slot]
                seasonalSum += e * e
                seasonalCount += 1
            }
            if count >= 1, y.isFinite, previous.isFinite {
                let e = y - previous
                naiveSum += e * e
                naiveCount += 1
            }
            ring[slot] = y
            previous = y
            if y.isFinite {
                lastFinite[slot] = y
                lastObserved = y
            }
            count += 1
        }
    }

    /// Mean and Gaussian quantiles as `SeasonalNaive` computes them; nil without any observed value.
    func forecast(horizon: Int, levels: [Double]) -> (mean: [Double], quantiles: [[Double]], diagnostic: String?)? {
        guard let lastObserved else { return nil }
        // Fewer than two seasons: the naive forecast, as SeasonalNaive does.
        let naive = season == 1 || count < 2 * season
        let m = naive ? 1 : season
        let (sum, n) = naive ? (naiveSum, naiveCount) : (seasonalSum, seasonalCount)
        let sigma = n > 0 ? (sum / Double(n)).squareRoot() : 0
        let z = NormalDistribution.quantiles(levels)
        var mean = [Double](), quantiles = [[Double]]()
        mean.reserveCapacity(max(horizon, 1))
        quantiles.reserveCapacity(max(horizon, 1))
        for h in 1...max(horizon, 1) {
            let k = (h - 1) / m
            let point = naive ? lastObserved : (lastFinite[(count + h - 1) % m] ?? lastObserved)
            let sd = sigma * Double(k + 1).squareRoot()
            mean.append(point)
            quantiles.append(z.map { point + $0 * sd })
        }
        let note = naive && season > 1
            ? "fewer than two seasons of \(season) steps (\(count) points): used the naive forecast" : nil
        return (mean, quantiles, note)
    }
}

/// Lines new observations up with the next expected grid position: points already seen are
/// dropped, a gap is filled with missing values.
enum Alignment {
    /// Most missing steps a gap may be filled with; beyond it the data is refused (a clock error
    /// rather than an outage), so a bad position cannot make a scorer loop for hours.
    static let maximumGap: Int64 = 100_000

    struct Problem: Error {
        let message: String
    }

    static func align(_ values: [Double], start: Int64, expected: Int64?, step: Int64) -> Result<[Double], Problem> {
        guard step > 0 else { return .failure(Problem(message: "the model's grid step \(step) is not positive")) }
        guard let expected else { return .success(values) }
        let delta = start - expected
        guard delta % step == 0 else {
            return .failure(Problem(message: "position \(start) is not on the grid (next expected \(expected), step \(step))"))
        }
        let steps = delta / step
        if steps >= 0 {
            guard steps <= maximumGap else {
                return .failure(Problem(message: "position \(start) is \(steps) steps past the next expected \(expected); the most filled is \(maximumGap)"))
            }
            return .success([Double](repeating: .nan, count: Int(steps)) + values)
        }
        let seen = Int(min(-steps, Int64(values.count)))
        return .success(Array(values.dropFirst(seen)))
    }
}
