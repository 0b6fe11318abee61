import Testing
@testable import Forecasting

/// The seasonal median filter's prediction (computed without an array, as it runs for every point
/// of every screened tail) against `OriginScreen.median` of the same lagged values.
@Suite struct SeasonalMedianFilterTests {
    @Test func predictionIsTheMedianOfTheFiniteSeasonalLags() {
        var seed: UInt64 = 12345
        func next() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        var byLags = [0, 0, 0, 0]
        for season in [1, 2, 24] {
            let filter = SeasonalMedianFilter(season: season)
            for _ in 0..<400 {
                let n = Int(next() * Double(3 * season + 1))
                // Ties and NaNs on purpose: values from a small set, one in five missing.
                let recent = (0..<n).map { _ in next() < 0.2 ? Double.nan : (next() * 4).rounded() - 1.5 }
                let lagged = (1...3).compactMap { k in n - k * season >= 0 ? recent[n - k * season] : nil }.filter(\.isFinite)
                let predicted = filter.prediction(SeasonalMedianFilter.State(recent: recent))
                byLags[lagged.count] += 1
                if lagged.isEmpty {
                    #expect(predicted == nil, "season \(season), \(recent)")
                } else {
                    #expect(predicted?.mean == OriginScreen.median(lagged), "season \(season), \(recent)")
                    #expect(predicted?.variance == 1)
                }
            }
        }
        // Every case was reached: no finite lag, one, two and three.
        #expect(byLags.allSatisfy { $0 > 0 }, "\(byLags)")
    }

    /// Stepping (observed values and skipped ones) keeps predicting from the values one, two and
    /// three seasons back, however the buffer is trimmed.
    @Test func steppedPredictionsFollowTheSeasonalLags() {
        for season in [1, 3, 24] {
            let filter = SeasonalMedianFilter(season: season)
            var state = SeasonalMedianFilter.State()
            var seen: [Double] = []
            for t in 0..<(20 * season + 7) {
                let lagged = (1...3).compactMap { k in t - k * season >= 0 ? seen[t - k * season] : nil }.filter(\.isFinite)
                let predicted = filter.prediction(state)?.mean
                #expect(predicted == (lagged.isEmpty ? nil : OriginScreen.median(lagged)), "season \(season), t \(t)")
                if t % 11 == 5 {
                    filter.skip(&state)
                    seen.append(predicted ?? .nan)
                } else {
                    let u = Double((t * 7919) % 13) + (t % 17 == 0 ? .nan : 0)
                    filter.step(&state, observing: u)
                    seen.append(u)
                }
                #expect(state.recent.count <= max(6 * season - 1, 3 * season), "season \(season), t \(t)")
            }
        }
    }
}
