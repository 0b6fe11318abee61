import Forecasting
import TimeSeries

/// The seasonal-naive forecast of one series kept incrementally: the last season's values, the
/// last observed value per season position, and running sums of squared lag-m and lag-1
/// differences. Each new point costs O(1) and the forecast equals `SeasonalNaive` run on the
/// whole history seen (same order of summation, so bit for bit).
///
/// Like `SeasonalNaive`, it forecasts from the history with outliers near the origin replaced
/// (`OriginScreen.clean` over the raw tail it keeps, the same values the batch path screens);
/// when some are, the forecast values come from the cleaned tail and the sums restart from their
/// value before the first pair that touches a replaced point (kept per tail point), so the
/// forecast stays bit for bit the batch one.
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
    /// The last raw values (at least `OriginScreen.cleanSpan(season:)`, at most twice that).
    private var tail: [Double] = []
    /// The running sums before each tail point was added, parallel to `tail`.
    private var sumsBefore: [Sums] = []

    struct Sums: Sendable {
        var seasonal: Double, seasonalCount: Int, naive: Double, naiveCount: Int
    }

    init(season: Int) {
        self.season = max(1, season)
        ring = [Double](repeating: .nan, count: self.season)
        lastFinite = [Double?](repeating: nil, count: self.season)
    }

    mutating func append(_ values: [Double]) {
        for y in values {
            sumsBefore.append(Sums(seasonal: seasonalSum, seasonalCount: seasonalCount, naive: naiveSum, naiveCount: naiveCount))
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
            tail.append(y)
        }
        let span = OriginScreen.cleanSpan(season: season)
        if tail.count > 2 * span {
            tail.removeFirst(tail.count - span)
            sumsBefore.removeFirst(sumsBefore.count - span)
        }
    }

    /// The batch path's cleaning of the tail: the outliers (indices into the whole history) and
    /// the cleaned values of the last `cleanSpan` points, for the effective period `m`.
    private func cleanedTail(period m: Int) -> (values: [Double], first: Int, outliers: [OriginOutlier]) {
        let span = OriginScreen.cleanSpan(season: m)
        let raw = Array(tail.suffix(min(span, count)))
        let first = count - raw.count
        let (cleaned, outliers) = OriginScreen.clean(raw, season: m)
        return (cleaned, first, outliers.map { OriginOutlier(position: $0.position + Int64(first), value: $0.value, replacement: $0.replacement) })
    }

    /// Raw value at history index `t` (NaN before the tail).
    fileprivate func rawValue(_ t: Int) -> Double {
        let i = tail.count - (count - t)
        return i >= 0 && i < tail.count ? tail[i] : .nan
    }
    fileprivate func sums(before t: Int) -> Sums? {
        let i = sumsBefore.count - (count - t)
        return i >= 0 && i < sumsBefore.count ? sumsBefore[i] : nil
    }
    fileprivate var lastObservedValue: Double? { lastObserved }
    fileprivate func lastFiniteValue(_ slot: Int) -> Double? { lastFinite[slot] }

    /// Mean and Gaussian quantiles as `SeasonalNaive` computes them; nil without any observed value.
    func forecast(horizon: Int, levels: [Double]) -> (mean: [Double], quantiles: [[Double]], diagnostic: String?)? {
        guard let lastObserved else { return nil }
        // Fewer than two seasons: the naive forecast, as SeasonalNaive does.
        let naive = season == 1 || count < 2 * season
        let m = naive ? 1 : season
        var (sum, n) = naive ? (naiveSum, naiveCount) : (seasonalSum, seasonalCount)
        let (cleaned, first, outliers) = cleanedTail(period: m)
        if !outliers.isEmpty {
            return cleanedForecast(horizon: horizon, levels: levels, period: m, naive: naive, cleaned: cleaned, first: first,
                                   outliers: outliers, sum: &sum, n: &n)
        }
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

extension SeasonalNaiveState {
    /// The forecast from the cleaned tail: the lag-m sums restart before the first pair that
    /// touches a replaced point and add the later pairs in order, as the batch path sums them.
    fileprivate func cleanedForecast(horizon: Int, levels: [Double], period m: Int, naive: Bool, cleaned: [Double], first: Int,
                                     outliers: [OriginOutlier], sum: inout Double, n: inout Int)
        -> (mean: [Double], quantiles: [[Double]], diagnostic: String?) {
        func value(_ t: Int) -> Double { t >= first ? cleaned[t - first] : rawValue(t) }
        if let j0 = outliers.map({ Int($0.position) }).min(), let before = sums(before: j0) {
            (sum, n) = naive ? (before.naive, before.naiveCount) : (before.seasonal, before.seasonalCount)
            for j in j0..<count where j >= m {
                let (c, d) = (value(j), value(j - m))
                if c.isFinite, d.isFinite {
                    let e = c - d
                    sum += e * e
                    n += 1
                }
            }
        }
        let sigma = n > 0 ? (sum / Double(n)).squareRoot() : 0
        let z = NormalDistribution.quantiles(levels)
        var mean = [Double](), quantiles = [[Double]]()
        for h in 1...max(horizon, 1) {
            let k = (h - 1) / m
            var source = count + h - 1 - m * (k + 1)
            while source >= first, !value(source).isFinite { source -= m }
            let point: Double
            if source >= first {
                point = value(source)
            } else {
                let lastClean = cleaned.last(where: \.isFinite) ?? lastObservedValue ?? .nan
                point = naive ? lastClean : (lastFiniteValue((count + h - 1) % m) ?? lastClean)
            }
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
