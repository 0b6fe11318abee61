import TimeSeries

/// Which models the automatic search tries.
public struct AutoETSOptions: Sendable, Hashable, Codable {
    /// Try damped additive trends.
    public var damped = true
    /// Try multiplicative error and season (only ever for positive data).
    public var multiplicative = true
    /// Candidates, best by AICc after a short first search, that are then searched in full.
    public var finalists = 3
    public init(damped: Bool = true, multiplicative: Bool = true, finalists: Int = 3) {
        self.damped = damped
        self.multiplicative = multiplicative
        self.finalists = max(1, finalists)
    }

    /// Options written before `finalists` existed decode with the default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(damped: try c.decodeIfPresent(Bool.self, forKey: .damped) ?? true,
                  multiplicative: try c.decodeIfPresent(Bool.self, forKey: .multiplicative) ?? true,
                  finalists: try c.decodeIfPresent(Int.self, forKey: .finalists) ?? 3)
    }
}

/// Automatic ETS: every admissible combination of error (A, M), trend (N, A, Ad) and season
/// (N, A, M) is fitted by maximum likelihood and the lowest AICc wins (Hyndman et al., 2002;
/// statsforecast's `AutoETS` with its default restrictions: no additive error with a
/// multiplicative season, no multiplicative trend, nothing multiplicative for data ≤ 0).
public enum AutoETS {
    /// The candidate specifications for a series of `count` observations, with why some are left out.
    public static func candidates(season: Int?, count: Int, positive: Bool, options: AutoETSOptions = AutoETSOptions())
        -> (specifications: [ETSSpecification], notes: [String]) {
        var notes: [String] = []
        var seasons: [ETSComponent] = [.none]
        let m = season ?? 1
        if m > 1 {
            if count >= 2 * m {
                seasons += [.additive, .multiplicative]
            } else {
                notes.append("fewer than two seasons of \(m) steps (\(count) points): non-seasonal models only")
            }
        }
        var errors: [ETSComponent] = [.additive]
        if options.multiplicative {
            if positive { errors.append(.multiplicative) } else { notes.append("data not all positive: additive models only") }
        }
        var out: [ETSSpecification] = []
        for e in errors {
            for (t, d) in [(ETSComponent.none, false), (.additive, false)] + (options.damped ? [(.additive, true)] : []) {
                for s in seasons {
                    if s == .multiplicative && (e == .additive || !positive || !options.multiplicative) { continue }
                    out.append(ETSSpecification(error: e, trend: t, damped: d, season: s, period: m))
                }
            }
        }
        return (out, notes)
    }

    /// Fits every candidate and returns the one with the lowest AICc: a short search of each
    /// (`ETSSearch.screening`), then a full one of the `options.finalists` best, continued from
    /// where the short one stopped. Each candidate's origin is screened by the guard; when the chosen one treated observations as outliers, its
    /// specification is fitted again without them (one refit, not one per candidate).
    public static func fit(_ series: Series, season: Int?, options: AutoETSOptions = AutoETSOptions()) throws(ForecastError) -> ETSModel {
        let finite = series.values.filter(\.isFinite)
        guard finite.count >= 3 else { throw ForecastError(.insufficientData, "\(finite.count) observed values are too few for ETS") }
        if let first = finite.first, finite.allSatisfy({ $0 == first }) {
            return try ETSModel.constant(series, value: first)
        }
        let (specs, notes) = candidates(season: season, count: finite.count, positive: finite.min()! > 0, options: options)
        // First pass: every candidate on a short budget, to rank them; then the best `finalists`
        // searched further from where the first pass stopped. The full search of every candidate
        // cost 10× more, and the ranking by AICc rarely moves after the first pass.
        var screened: [ETSModel] = []
        var failures: [String] = []
        for spec in specs {
            do {
                let model = try ETSModel.fitOnce(series, specification: spec, originGuard: OriginOutlierGuard(), search: .screening)
                if model.aicc.isFinite { screened.append(model) }
            } catch {
                failures.append("\(spec): \(error.message)")
            }
        }
        screened.sort { $0.aicc < $1.aicc }
        var best: ETSModel?
        for first in screened.prefix(options.finalists) {
            let refined = (try? ETSModel.fitOnce(series, specification: first.specification, originGuard: OriginOutlierGuard(),
                                                 search: .full, from: first)) ?? first
            let model = refined.aicc <= first.aicc ? refined : first
            if model.aicc < (best?.aicc ?? .infinity) { best = model }
        }
        guard var best else {
            throw ForecastError(.notConverged, "no ETS model could be fitted" + (failures.isEmpty ? "" : " (\(failures.joined(separator: "; ")))"))
        }
        let outliers = best.originOutlierPoints
        if !outliers.isEmpty, var refit = try? ETSModel.fitOnce(series.masking(outliers.map(\.position)), specification: best.specification,
                                                                 originGuard: OriginOutlierGuard()),
           refit.markOriginOutliers(outliers) {
            refit.diagnostics.append("refitted without the outlying observation(s) at the origin")
            best = refit
        }
        best.diagnostics = notes + best.diagnostics
        return best
    }
}
