import ArgumentParser
import ActuatorCommands
import Foundation

// A synchronous main: the signals are blocked before any thread exists, the command runs in a
// task, and this thread takes SIGTERM/SIGINT with sigwait (TerminationSignals says why an
// asynchronous main cannot).
let signals = TerminationSignals.block()

// Parse and run by hand: `ActuatorCommand.main()` would resolve to the synchronous overloads,
// which never call an asynchronous subcommand's run().
func runAsynchronously<C: AsyncParsableCommand>(_ command: C) async throws {
    var command = command
    try await command.run()
}

Task.detached {
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
    exit(0)
}
TerminationSignals.waitForSignals(signals)
