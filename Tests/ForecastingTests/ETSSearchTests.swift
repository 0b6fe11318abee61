import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// AutoETS's two-stage search (a short search of every candidate, a full one of the finalists)
/// and the warm-started refit the rolling backtest uses.
@Suite struct ETSSearchTests {
    /// Two weeks of a noisy daily cycle on a slow trend (season 24).
    static func series(count: Int) -> Series {
        var state: UInt64 = 42
        let values = (0..<count).map { t -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 11) / Double(1 << 53) - 0.5
            return 50 + 0.02 * Double(t) + 8 * sin(2 * Double.pi * Double(t % 24) / 24) + 2 * noise
        }
        return Series(id: "s", grid: TimeGrid(axis: .index, start: 0, step: 1, count: count), values: values)
    }

    /// The finalists' full search can only improve on the first pass: the chosen model's AICc is
    /// no worse than the best AICc any candidate reached with the short search alone.
    @Test func theChosenModelIsNoWorseThanTheBestScreenedOne() throws {
        let s = Self.series(count: 200)
        let chosen = try AutoETS.fit(s, season: 24)
        let specs = AutoETS.candidates(season: 24, count: 200, positive: true).specifications
        let screened = specs.compactMap {
            try? ETSModel.fitOnce(s, specification: $0, originGuard: OriginOutlierGuard(), search: .screening).aicc
        }
        #expect(screened.count == specs.count)
        let best = try #require(screened.min())
        #expect(chosen.aicc <= best + 1e-9, "\(chosen.name) \(chosen.aicc) vs \(screened)")
    }

    /// A refit on a shorter history from the longer history's optimum reaches the likelihood of
    /// a fit of the same specification from the usual start values (within 0.5), with a shorter search.
    @Test func aWarmRefitReachesTheColdFit() throws {
        let full = Self.series(count: 200)
        var prefix = full
        prefix.values = Array(full.values.prefix(176))
        prefix.grid = TimeGrid(axis: .index, start: 0, step: 1, count: 176)
        let spec = ETSSpecification(error: .additive, season: .additive, period: 24)
        let cold = try ETSModel.fit(prefix, specification: spec)
        let warm = try ETSModel.refit(prefix, like: try ETSModel.fit(full, specification: spec))
        #expect(warm.specification == spec)
        #expect(warm.logLikelihood >= cold.logLikelihood - 0.5, "warm \(warm.logLikelihood) cold \(cold.logLikelihood)")
    }

    /// Options written before `finalists` existed still decode (with 3), and 0 is raised to 1.
    @Test func optionsWithoutFinalistsDecode() throws {
        let old = try JSONDecoder().decode(AutoETSOptions.self, from: Data(#"{"damped":false,"multiplicative":true}"#.utf8))
        #expect(old == AutoETSOptions(damped: false, multiplicative: true, finalists: 3))
        #expect(AutoETSOptions(finalists: 0).finalists == 1)
        let round = try JSONDecoder().decode(AutoETSOptions.self, from: JSONEncoder().encode(AutoETSOptions(finalists: 5)))
        #expect(round.finalists == 5)
    }
}
