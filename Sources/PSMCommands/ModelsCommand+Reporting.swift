import ArgumentParser
import ModelRegistry

extension ModelsCommand {
    /// Runs `body`; a `RegistryError` becomes one line on stderr and exit status 1.
    @discardableResult
    static func reporting<T>(_ subcommand: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as RegistryError {
            printError("psm models \(subcommand): \(error)")
            throw ExitCode(1)
        }
    }
}

/// A `psm models` subcommand that is one registry call whose answer is printed.
protocol RegistrySubcommand: ParsableCommand {
    var options: ModelsCommand.Options { get }
    func act(_ registry: ModelRegistry) throws -> String
}

extension RegistrySubcommand {
    func run() throws {
        let text = try ModelsCommand.reporting(String(describing: Self.self).lowercased()) { try act(options.registry) }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}
