import ArgumentParser
import Pipeline

/// Runs a library call whose input errors (`InputsError`: a file, calendar or model name that
/// cannot be used) the command line reports as usage errors, like its own option checks.
func usageErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as InputsError { throw ValidationError(error.description) }
}
