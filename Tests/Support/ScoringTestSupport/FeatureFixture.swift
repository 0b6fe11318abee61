import Features
import Forecasting
import Foundation
import Pipeline
import TimeSeries

/// Synthetic hourly demand whose calendar parts (local hour, weekday, a holiday, promotions)
/// and advance notices carry known effects, for the scoring-with-features tests (ActuatorTests)
/// and their benchmark (the Benchmarks package's `FeatureScoringBenchmark`).
public enum FeatureFixture {
    public static let step: Int64 = 3600
    /// 2023-11-14T22:00:00Z: an hour boundary, so local hours are whole.
    public static let start: Int64 = 1_699_999_200

    /// Europe/Berlin, a holiday on the 22nd and on the 29th (the forecast horizon), a weekly
    /// promotion from the 15th and one more promotion on the 29th.
    public static let calendarText = """
        time_zone = "Europe/Berlin"

        [[holiday]]
        name = "Day off"
        date = "2023-11-22"

        [[holiday]]
        name = "Second day off"
        date = "2023-11-29"

        [[event]]
        name = "Weekly sale"
        kind = "promotion"
        start = "2023-11-15T09:00:00"
        end = "2023-11-15T13:00:00"
        recurrence = "weekly"
        groups = ["web"]

        [[event]]
        name = "Launch"
        kind = "promotion"
        start = "2023-11-29T15:00:00"
        end = "2023-11-29T18:00:00"
        groups = ["web"]
        """

    public static func calendar() throws -> CalendarFile { try CalendarFile.parse(calendarText, fileName: "calendar.toml") }

    /// Deterministic standard normal draws (LCG + Box–Muller), so every run sees the same data.
    public struct Noise {
        public var state: UInt64
        public init(state: UInt64) { self.state = state }
        public mutating func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        public mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
    }

    /// `count` hourly points: level 50, a daily cycle in local time, −15 on holidays, +12 in
    /// promotions, AR(1) noise (φ 0.5, σ 1.5).
    public static func calendarSeries(count: Int, calendar: CalendarFile) -> [Double] {
        let schema = try? FeatureSchema(axis: .time, calendar: calendar.calendar, hourOfDay: .cyclic, holidayFlag: true,
                                        events: [EventFeature(kind: .promotion)])
        let grid = TimeGrid(axis: .time, start: start, step: step, count: count)
        let m = try? schema?.matrix(for: grid, seriesID: "a", group: "web", events: calendar.events)
        var noise = Noise(state: 42), e = 0.0
        return (0..<count).map { t in
            e = 0.5 * e + 1.5 * noise.normal()
            let hourSin = m?.column(named: "hour_sin")?[t] ?? 0, hourCos = m?.column(named: "hour_cos")?[t] ?? 0
            let holiday = m?.column(named: "holiday")?[t] ?? 0, promotion = m?.column(named: "promotion_window")?[t] ?? 0
            return 50 + 8 * hourSin + 4 * hourCos - 15 * holiday + 12 * promotion + e
        }
    }

    /// The notices of the training history: three-hour windows every ~29 hours, multipliers 1.5,
    /// 2 and 1.25 in turn, for group `web`.
    public static func trainingNotices(count: Int) -> [Event] {
        let multipliers = [1.5, 2.0, 1.25]
        return stride(from: 20, to: count - 6, by: 29).enumerated().map { k, t in
            Event(name: "notice", kind: .notice, start: start + Int64(t) * step, end: start + Int64(t + 3) * step,
                  scope: .groups(["web"]), multiplier: multipliers[k % multipliers.count])
        }
    }

    /// Extra load per unit of (multiplier − 1) inside a notice's window.
    public static let noticeEffect = 40.0

    /// `count` hourly points: level 100, a daily cycle, AR(1) noise (φ 0.6, σ 2), and
    /// `noticeEffect` × (multiplier − 1) inside every notice window.
    public static func noticeSeries(count: Int, notices: [Event]) -> [Double] {
        var noise = Noise(state: 7), e = 0.0
        return (0..<count).map { t in
            e = 0.6 * e + 2 * noise.normal()
            let time = start + Int64(t) * step
            let extra = notices.filter { $0.start <= time && time < $0.end }.map { noticeEffect * (($0.multiplier ?? 1) - 1) }.max() ?? 0
            return 100 + 15 * sin(2 * Double.pi * Double(t % 24) / 24) + e + extra
        }
    }

    public static func input(_ id: String, _ values: [Double], group: String = "web", season: Int = 24) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .time, start: start, step: step, count: values.count),
                                     values: values, group: group), season: season)
    }

    /// Rows `from..<to` of a matrix.
    public static func rows(_ m: FeatureMatrix, _ range: Range<Int>) -> FeatureMatrix {
        FeatureMatrix(rows: range.count, columns: m.columns, names: m.names,
                      values: Array(m.values[(range.lowerBound * m.columns)..<(range.upperBound * m.columns)]))
    }
}
