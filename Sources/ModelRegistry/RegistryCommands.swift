import Foundation

/// What each `psm models` subcommand does, one call each (the command line only reads arguments
/// and prints): versions named by id or unique prefix, the answer as the lines to print.
extension ModelRegistry {
    /// `show`: a version's manifest (default: CURRENT), described, or the manifest file as stored.
    package func show(group: String, version: String?, json: Bool) throws(RegistryError) -> String {
        var chosen = try current(group: group)
        if let version { chosen = try resolve(version, group: group) }
        guard let chosen else { throw nothingInService(group: group) }
        let manifest = try manifest(group: group, version: chosen)
        if json {
            let path = root.appendingPathComponent(group).appendingPathComponent(chosen.id)
                .appendingPathComponent(Self.manifestName).path
            return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
        let isCurrent = (try? current(group: group)) == chosen
        return manifest.describe(group: group, version: chosen, isCurrent: isCurrent)
    }

    /// `verify`: one version, every version of one group, or of every group (CURRENT checked too).
    package func verify(group: String?, version: String?) throws(RegistryError) -> [VerifyResult] {
        if let group, let version {
            let chosen = try resolve(version, group: group)
            return [check(group: group, version: chosen)]
        }
        let groups = if let group { [group] } else { try self.groups() }
        return try verifyAll(groups: groups)
    }

    /// `verify --repair`: completes or rolls back first publishes interrupted before CURRENT was written.
    package func repairInterruptedPublishes(group: String?) throws(RegistryError) -> [PublishRepair] {
        if let group { return try repairInterruptedPublish(group: group).map { [$0] } ?? [] }
        return try repairInterruptedPublishes()
    }

    /// `promote`: puts a version in service; says what CURRENT was.
    package func promote(group: String, version text: String) throws(RegistryError) -> String {
        let previous = try? current(group: group)
        let chosen = try resolve(text, group: group)
        try promote(group: group, version: chosen)
        return "\(group): CURRENT is \(chosen.id) (was \(previous?.id ?? "none"))"
    }

    /// `rollback`: the previous version that verifies (or `to`) back in service; says what CURRENT was.
    package func rollback(group: String, to text: String?) throws(RegistryError) -> String {
        let previous = try? current(group: group)
        var target: ModelVersion?
        if let text { target = try resolve(text, group: group) }
        let now = try rollback(group: group, to: target)
        return "\(group): CURRENT is \(now.id) (was \(previous?.id ?? "none"))"
    }

    /// `retain`: prunes each group (all when empty) to its newest `keep` versions and CURRENT,
    /// reporting one line per group as it goes.
    package func retain(groups: [String], keep: Int, report: (String) -> Void) throws(RegistryError) {
        for group in groups.isEmpty ? try self.groups() : groups {
            let result = try retain(group: group, keep: keep)
            let removed = result.removedVersions.map(\.id)
            report("\(group): removed \(removed.count) version(s)\(removed.isEmpty ? "" : " (" + removed.joined(separator: ", ") + ")")"
                   + ", \(result.removedDebris.count) leftovers of interrupted writes")
        }
    }
}
