import ArgumentParser
import ActuatorCommands

// Parse and run by hand: top-level `await ActuatorCommand.main()` resolves to the synchronous overloads,
// which never call an asynchronous subcommand's run().
func runAsynchronously<C: AsyncParsableCommand>(_ command: C) async throws {
    var command = command
    try await command.run()
}

do {
    var command = try await ActuatorCommand.asyncParseAsRoot()
    if let asynchronous = command as? any AsyncParsableCommand {
        try await runAsynchronously(asynchronous)
    } else {
        try command.run()
    }
} catch {
    ActuatorCommand.exit(withError: error)
}
