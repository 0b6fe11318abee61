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
        @Option(name: .customLong("models"), help: "The model directory.")
        var directory = "Models"

        @Flag(help: "Print JSON instead of text.")
        var json = false

        var registry: ModelRegistry { ModelRegistry(root: URL(fileURLWithPath: directory, isDirectory: true)) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the versions of every group (or of the given groups); * marks CURRENT.")
        @Argument(help: "Groups to list (default: all).") var groups: [String] = []
        @OptionGroup var options: Options

        func run() throws {
            let rows = try ModelsCommand.reporting("list") { () throws(RegistryError) in
                try options.registry.listing(groups: groups)
            }
            print(options.json ? try ModelsCommand.jsonText(rows) : VersionRow.table(rows))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a version's manifest (default: the CURRENT version).")
        @Argument(help: "The group.") var group: String
        @Argument(help: "A version id or a unique prefix of one (default: CURRENT).") var version: String?
        @OptionGroup var options: Options

        func run() throws {
            let registry = options.registry
            let text = try ModelsCommand.reporting("show") { () throws(RegistryError) -> String in
                var chosen = try registry.current(group: group)
                if let version { chosen = try registry.resolve(version, group: group) }
                guard let chosen else { throw registry.nothingInService(group: group) }
                let manifest = try registry.manifest(group: group, version: chosen)
                if options.json {
                    let path = registry.root.appendingPathComponent(group).appendingPathComponent(chosen.id)
                        .appendingPathComponent(ModelRegistry.manifestName).path
                    return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                }
                let isCurrent = (try? registry.current(group: group)) == chosen
                return manifest.describe(group: group, version: chosen, isCurrent: isCurrent)
            }
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
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
                let repairs = try ModelsCommand.reporting("verify") { () throws(RegistryError) -> [PublishRepair] in
                    if let group { return try registry.repairInterruptedPublish(group: group).map { [$0] } ?? [] }
                    return try registry.repairInterruptedPublishes()
                }
                for r in repairs { printError("psm models verify: repaired \(r)") }
            }
            let results = try ModelsCommand.reporting("verify") { () throws(RegistryError) -> [VerifyResult] in
                if let group, let version {
                    let chosen = try registry.resolve(version, group: group)
                    return [registry.check(group: group, version: chosen)]
                }
                let groups = if let group { [group] } else { try registry.groups() }
                return try registry.verifyAll(groups: groups)
            }
            print(options.json ? try ModelsCommand.jsonText(results) : VerifyResult.text(results))
            let failed = results.filter { !$0.ok }.count
            if failed > 0 {
                printError("psm models verify: \(failed) of \(results.count) checks failed")
                throw ExitCode(1)
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a version in service (after verifying it).")
        @Argument(help: "The group.") var group: String
        @Argument(help: "A version id or a unique prefix of one.") var version: String
        @OptionGroup var options: Options

        func run() throws {
            let registry = options.registry
            try ModelsCommand.reporting("promote") { () throws(RegistryError) in
                let previous = try? registry.current(group: group)
                let chosen = try registry.resolve(version, group: group)
                try registry.promote(group: group, version: chosen)
                print("\(group): CURRENT is \(chosen.id) (was \(previous?.id ?? "none"))")
            }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put the previous version (or --to VERSION) back in service.",
            discussion: "Without --to, the newest version older than CURRENT that verifies is chosen.")
        @Argument(help: "The group.") var group: String
        @Option(help: "The version to go back to (id or unique prefix).") var to: String?
        @OptionGroup var options: Options

        func run() throws {
            let registry = options.registry
            try ModelsCommand.reporting("rollback") { () throws(RegistryError) in
                let previous = try? registry.current(group: group)
                var target: ModelVersion?
                if let to { target = try registry.resolve(to, group: group) }
                let now = try registry.rollback(group: group, to: target)
                print("\(group): CURRENT is \(now.id) (was \(previous?.id ?? "none"))")
            }
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
            let registry = options.registry
            try ModelsCommand.reporting("retain") { () throws(RegistryError) in
                for group in groups.isEmpty ? try registry.groups() : groups {
                    let report = try registry.retain(group: group, keep: keep)
                    let removed = report.removedVersions.map(\.id)
                    print("\(group): removed \(removed.count) version(s)\(removed.isEmpty ? "" : " (" + removed.joined(separator: ", ") + ")")"
                          + ", \(report.removedDebris.count) leftovers of interrupted writes")
                }
            }
        }
    }
}
