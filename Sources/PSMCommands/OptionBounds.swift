import ArgumentParser
import Pipeline

/// Refuses a numeric option outside `range`, naming the option and the range (the same ranges
/// as psm.toml's keys, `TrainingConfiguration.Limits`).
func require(_ value: Int, in range: ClosedRange<Int>, _ option: String) throws {
    guard range.contains(value) else {
        throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
    }
}

typealias Limits = TrainingConfiguration.Limits
