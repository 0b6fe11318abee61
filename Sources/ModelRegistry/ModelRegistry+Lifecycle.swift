import Foundation

/// What `retain` removed.
public struct RetentionReport: Sendable, Equatable {
    /// Old versions removed, oldest first.
    public var removedVersions: [ModelVersion] = []
    /// Names of temporary files and directories left by interrupted writers, removed.
    public var removedDebris: [String] = []
}

extension ModelRegistry {
    /// Points `CURRENT` at `version` after verifying it; a corrupt version is never put in service.
    public func promote(group: String, version: ModelVersion) throws(RegistryError) {
        let groupDir = try groupPath(group)
        try requireGroup(group, groupDir)
        try DurableFiles.withLock(groupDir + "/" + Self.lockName) { () throws(RegistryError) in
            try verify(group: group, version: version)
            try writePointer(groupDir: groupDir, to: version)
        }
    }

    /// Points `CURRENT` back at `version`, or by default at the newest version older than the
    /// current one that verifies (corrupt ones are skipped). Returns the version now in service.
    @discardableResult
    public func rollback(group: String, to version: ModelVersion? = nil) throws(RegistryError) -> ModelVersion {
        let groupDir = try groupPath(group)
        try requireGroup(group, groupDir)
        return try DurableFiles.withLock(groupDir + "/" + Self.lockName) { () throws(RegistryError) -> ModelVersion in
            if let version {
                try verify(group: group, version: version)
                try writePointer(groupDir: groupDir, to: version)
                return version
            }
            guard let current = try current(group: group) else {
                throw RegistryError(.noCurrentVersion, "nothing is in service, so there is nothing to roll back from", group: group)
            }
            var skipped: [String] = []
            for candidate in try versions(group: group).reversed() where candidate < current {
                do throws(RegistryError) {
                    try verify(group: group, version: candidate)
                } catch {
                    skipped.append("\(candidate.id) (\(error.code))")
                    continue
                }
                try writePointer(groupDir: groupDir, to: candidate)
                return candidate
            }
            let note = skipped.isEmpty ? "" : "; skipped unverifiable " + skipped.joined(separator: ", ")
            throw RegistryError(.nothingToRollBack, "no version older than \(current.id) verifies\(note)", group: group)
        }
    }

    /// Keeps the newest `keep` versions of `group` and the one in service, removes the others and
    /// any temporary debris left by crashed writers. `keep` must be at least 1.
    @discardableResult
    public func retain(group: String, keep: Int) throws(RegistryError) -> RetentionReport {
        guard keep >= 1 else {
            throw RegistryError(.invalidArgument, "keep must be at least 1, not \(keep)", group: group)
        }
        let groupDir = try groupPath(group)
        try requireGroup(group, groupDir)
        return try DurableFiles.withLock(groupDir + "/" + Self.lockName) { () throws(RegistryError) -> RetentionReport in
            var report = RetentionReport()
            // Every writer holds the lock while its temporaries exist, so any found now are debris.
            for name in try DurableFiles.list(groupDir).sorted()
            where name.hasPrefix(Self.temporaryPrefix) || name.hasPrefix(Self.pointerTemporaryPrefix) {
                try DurableFiles.removeTree(groupDir + "/" + name)
                report.removedDebris.append(name)
            }
            let current = try? current(group: group)
            let all = try versions(group: group)
            let kept = Set(all.suffix(keep)).union(current.map { [$0] } ?? [])
            for version in all where !kept.contains(version) {
                // Rename out of sight first, so no reader ever finds a half-deleted version.
                let hidden = groupDir + "/" + Self.temporaryPrefix + DurableFiles.randomSuffix()
                let code = DurableFiles.renameItem(groupDir + "/" + version.id, hidden)
                guard code == 0 else {
                    throw DurableFiles.failure("cannot move away", groupDir + "/" + version.id, errno: code)
                }
                try DurableFiles.syncDirectory(groupDir)
                try DurableFiles.removeTree(hidden)
                report.removedVersions.append(version)
            }
            return report
        }
    }

    private func requireGroup(_ group: String, _ groupDir: String) throws(RegistryError) {
        guard DurableFiles.isDirectory(groupDir) else {
            throw RegistryError(.groupNotFound, "no such group under \(root.path)", group: group)
        }
    }
}
