import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `repairInterruptedPublish` did to a group whose first publish was killed between the
/// version's rename and the `CURRENT` write.
package struct PublishRepair: Sendable, Equatable, CustomStringConvertible {
    package enum Outcome: String, Sendable, Equatable {
        /// The version was whole and verified: `CURRENT` now names it, as the publish intended.
        case completed
        /// The version never appeared (or does not verify): the publish is undone, nothing in service.
        case rolledBack = "rolled back"
    }
    public var group: String
    public var version: String
    public var outcome: Outcome
    /// Why a roll-back was chosen.
    package var reason: String?

    public var description: String {
        "\(group): the interrupted first publish of \(version) was \(outcome.rawValue)" + (reason.map { " (\($0))" } ?? "")
    }
}

extension ModelRegistry {
    /// The version a killed first publish of `group` was making current, when `CURRENT` is still
    /// missing (what `verify` explains); nil otherwise.
    package func interruptedPublish(group: String) throws(RegistryError) -> String? {
        let groupDir = try groupPath(group)
        guard try current(group: group) == nil,
              let data = try DurableFiles.read(groupDir + "/" + Self.firstPublishName) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Completes or rolls back an interrupted first publish of `group` (under the group lock):
    /// a whole, verifying version becomes `CURRENT`; a missing or failing one is dropped. A stale
    /// marker next to an existing `CURRENT` is removed silently. Nil when there was nothing to do.
    @discardableResult
    package func repairInterruptedPublish(group: String) throws(RegistryError) -> PublishRepair? {
        let groupDir = try groupPath(group)
        let marker = groupDir + "/" + Self.firstPublishName
        guard DurableFiles.exists(marker) else { return nil }
        return try DurableFiles.withLock(groupDir + "/" + Self.lockName) { () throws(RegistryError) -> PublishRepair? in
            guard let data = try DurableFiles.read(marker) else { return nil }
            defer { _ = unlink(marker) }
            guard try current(group: group) == nil else { return nil }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let version = ModelVersion(text), try versions(group: group).contains(version) else {
                return PublishRepair(group: group, version: String(text.prefix(60)), outcome: .rolledBack,
                                     reason: "the version directory never appeared")
            }
            do throws(RegistryError) {
                try verify(group: group, version: version)
            } catch {
                return PublishRepair(group: group, version: version.id, outcome: .rolledBack, reason: "\(error.code): \(error.message)")
            }
            try writePointer(groupDir: groupDir, to: version)
            return PublishRepair(group: group, version: version.id, outcome: .completed)
        }
    }

    /// `repairInterruptedPublish` for every group.
    package func repairInterruptedPublishes() throws(RegistryError) -> [PublishRepair] {
        var repairs: [PublishRepair] = []
        for group in try groups() {
            if let r = try repairInterruptedPublish(group: group) { repairs.append(r) }
        }
        return repairs
    }
}

extension DurableFiles {
    /// Whether `path` exists (one `access` call: repairs run for every group at each training run).
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
