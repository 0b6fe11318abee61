import ArgumentParser
import Foundation
import ModelRegistry

/// `psm models`: look after the published model versions under a model directory.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, show, verify, promote, roll back and prune published model versions.",
        discussion: """
        A model directory holds one folder per group, one sub-folder per version \
        (`yyyyMMddTHHmmssZ-<hash8>`, sorting in publish order) and a CURRENT file naming the version \
        in service. See docs/models.md.
        """,
        subcommands: [List.self, Show.self, Verify.self, Promote.self, Rollback.self, Retain.self])

    /// Options every `models` subcommand shares.
    struct Options: ParsableArguments {
        @Option(name: .customLong("models"), help: "The model directory.") var directory = "Models"

        @Flag(help: "Print JSON instead of text.") var json = false

        var registry: ModelRegistry { ModelRegistry(root: URL(fileURLWithPath: directory, isDirectory: true)) }
    }

    struct List: RegistrySubcommand {
        static let configuration = CommandConfiguration(
            abstract: "List the versions of every group (or of the given groups); * marks CURRENT.")
        @Argument(help: "Groups to list (default: all).") var groups: [String] = []
        @OptionGroup var options: Options

        func act(_ registry: ModelRegistry) throws -> String {
            let rows = try registry.listing(groups: groups)
            return options.json ? try jsonText(rows) : VersionRow.table(rows)
        }
    }

    struct Show: RegistrySubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a version's manifest (default: the CURRENT version).")
        @Argument(help: "The group.") var group: String
        @Argument(help: "A version id or a unique prefix of one (default: CURRENT).") var version: String?
        @OptionGroup var options: Options

        func act(_ registry: ModelRegistry) throws -> String {
            try registry.show(group: group, version: version, json: options.json)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check checksums and schema of every version (or of one group or version).",
            discussion: "Prints one line per version; exits 1 when any version or CURRENT pointer fails.")
        @Argument(help: "The group (default: all groups).") var group: String?
        @Argument(help: "A version id or unique prefix (default: every version of the group).") var version: String?
        @Flag(help: "First complete (or roll back) first publishes a kill interrupted before CURRENT was written.")
        var repair = false
        @OptionGroup var options: Options

        func run() throws {
            let registry = options.registry
            if repair {
                let repairs = try ModelsCommand.reporting("verify") {
                    try registry.repairInterruptedPublishes(group: group)
                }
                for r in repairs { printError("psm models verify: repaired \(r)") }
            }
            let results = try ModelsCommand.reporting("verify") {
                try registry.verify(group: group, version: version)
            }
            print(options.json ? try jsonText(results) : VerifyResult.text(results))
            let failed = results.filter { !$0.ok }.count
            if failed > 0 {
                printError("psm models verify: \(failed) of \(results.count) checks failed")
                throw ExitCode(1)
            }
        }
    }

    struct Promote: RegistrySubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a version in service (after verifying it).")
        @Argument(help: "The group.") var group: String
        @Argument(help: "A version id or a unique prefix of one.") var version: String
        @OptionGroup var options: Options

        func act(_ registry: ModelRegistry) throws -> String {
            try registry.promote(group: group, version: version)
        }
    }

    struct Rollback: RegistrySubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Put the previous version (or --to VERSION) back in service.",
            discussion: "Without --to, the newest version older than CURRENT that verifies is chosen.")
        @Argument(help: "The group.") var group: String
        @Option(help: "The version to go back to (id or unique prefix).") var to: String?
        @OptionGroup var options: Options

        func act(_ registry: ModelRegistry) throws -> String {
            try registry.rollback(group: group, to: to)
        }
    }

    struct Retain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep the newest N versions and CURRENT; delete the rest and crash debris.")
        @Argument(help: "Groups to prune (default: all).") var groups: [String] = []
        @Option(help: "How many of the newest versions to keep (at least 1).") var keep: Int
        @OptionGroup var options: Options

        func validate() throws {
            try require(keep, in: 1...10_000, "--keep")
        }

        func run() throws {
            try ModelsCommand.reporting("retain") {
                try options.registry.retain(groups: groups, keep: keep) { print($0) }
            }
        }
    }
}
