import ArgumentParser
import Features
import Foundation
import ModelRegistry
import TimeSeries

extension ModelsCommand {
    /// Runs `body`; a `RegistryError` becomes one line on stderr and exit status 1.
    @discardableResult
    static func reporting<T>(_ subcommand: String, _ body: () throws(RegistryError) -> T) throws -> T {
        do throws(RegistryError) {
            return try body()
        } catch {
            printError("psm models \(subcommand): \(error)")
            throw ExitCode(1)
        }
    }
}
