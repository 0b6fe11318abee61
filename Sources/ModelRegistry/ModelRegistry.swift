import Crypto
import Foundation

/// Versioned model files under one root: `<root>/<group>/<version>/` directories holding
/// `manifest.json` and parameter files, and `<root>/<group>/CURRENT` naming the version in service.
///
/// Writers (`publish`, `promote`, `rollback`, `retain`) take an exclusive lock per group; readers
/// take none and, thanks to rename-based publishing, see either the old or the new state, never a
/// partial one (docs/models.md gives the argument).
public struct ModelRegistry: Sendable {
    package static let manifestName = "manifest.json"
    package static let currentName = "CURRENT"
    static let lockName = ".lock"
    /// Prefix of version directories being written (or being removed); debris after a crash.
    static let temporaryPrefix = ".tmp-"
    /// Prefix of a `CURRENT` being written; debris after a crash.
    static let pointerTemporaryPrefix = ".CURRENT.tmp-"
    /// Names the version a group's first publish is making current, from before the version
    /// appears until `CURRENT` is written: what a kill in between leaves is recognised and
    /// completed (`repairInterruptedPublish`), never mistaken for a deliberately staged version.
    static let firstPublishName = ".first-publish"

    public let root: URL
    /// `root.path`, computed once.
    let rootPath: String
    private let clock: @Sendable () -> Date

    /// A registry rooted at `root` (created on first publish); `now` stamps versions (injected for tests).
    public init(root: URL, now: @escaping @Sendable () -> Date = Date.init) {
        self.root = root
        rootPath = root.path
        self.clock = now
    }

    // MARK: Paths

    func groupPath(_ group: String) throws(RegistryError) -> String {
        try validate(group: group)
        return root.appendingPathComponent(group).path
    }

    func validate(group: String) throws(RegistryError) {
        guard RegistryNames.isValidGroup(group) else {
            throw RegistryError(.invalidName, "group name '\(group)' must be 1–128 characters of A–Z a–z 0–9 . _ - and not start with a dot")
        }
    }

    func versionPath(_ group: String, _ version: ModelVersion) throws(RegistryError) -> String {
        try groupPath(group) + "/" + version.id
    }

    // MARK: Listing

    /// The groups under the root (directories with valid group names), sorted.
    public func groups() throws(RegistryError) -> [String] {
        try DurableFiles.list(root.path)
            .filter { RegistryNames.isValidGroup($0) && DurableFiles.isDirectory(root.path + "/" + $0) }
            .sorted()
    }

    /// The published versions of `group`, oldest first; empty when the group does not exist.
    public func versions(group: String) throws(RegistryError) -> [ModelVersion] {
        let path = try groupPath(group)
        return try DurableFiles.list(path)
            .compactMap { ModelVersion($0) }
            .filter { DurableFiles.isDirectory(path + "/" + $0.id) }
            .sorted()
    }

    /// The version `CURRENT` names, `nil` when nothing was published (or promoted) yet.
    public func current(group: String) throws(RegistryError) -> ModelVersion? {
        try validate(group: group)
        // Plain string paths: the actuator reads every group's pointer, and URL building cost
        // more than the read itself.
        let path = rootPath + "/" + group + "/" + Self.currentName
        guard let data = try DurableFiles.read(path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let version = ModelVersion(text) else {
            throw RegistryError(.noCurrentVersion, "CURRENT holds '\(text.prefix(60))', not a version id",
                                group: group, file: Self.currentName)
        }
        return version
    }

    // MARK: Publishing

    /// Writes a new version of `group` atomically and, unless `makeCurrent` is false, points
    /// `CURRENT` at it. `files` maps plain file names to their bytes; the manifest's `files` and
    /// `createdAt` are filled in here.
    ///
    /// Version ids strictly increase in publish order: when the clock has not passed the newest
    /// version's second (two publishes in one second, or a clock stepped back), the new version is
    /// stamped one second after the newest, so "newest" and "previous" always mean publish order.
    @discardableResult
    public func publish(group: String, manifest: ModelManifest, files: [String: Data],
                        makeCurrent: Bool = true) throws(RegistryError) -> ModelVersion {
        let groupDir = try groupPath(group)
        var manifest = manifest
        manifest.schemaVersion = ModelManifest.currentSchemaVersion
        manifest.files = [:]
        for (name, data) in files {
            guard RegistryNames.isValidFile(name) else {
                throw RegistryError(.invalidName, "file name '\(name)' must be 1–255 characters of A–Z a–z 0–9 . _ -, not start with a dot and not be \(Self.manifestName)", group: group, file: name)
            }
            manifest.files[name] = .init(sha256: Self.sha256(data), bytes: data.count)
        }
        let now = Int64(clock().timeIntervalSince1970.rounded(.down))
        // Fail on an unencodable manifest before touching the disk.
        _ = try stamp(&manifest, seconds: now, group: group)

        try prepareGroupDirectory(groupDir)
        return try DurableFiles.withLock(groupDir + "/" + Self.lockName) { () throws(RegistryError) -> ModelVersion in
            let newest = try versions(group: group).last
            let seconds = newest.map { max(now, $0.createdAt + 1) } ?? now
            let (manifestData, version) = try stamp(&manifest, seconds: seconds, group: group)
            let marker = groupDir + "/" + Self.firstPublishName
            let first = makeCurrent && (try? current(group: group)) == nil
            if first {
                _ = unlink(marker)
                try DurableFiles.writeNewFile(Data((version.id + "\n").utf8), at: marker)
                try DurableFiles.syncDirectory(groupDir)
            }
            let temporary = groupDir + "/" + Self.temporaryPrefix + DurableFiles.randomSuffix()
            try DurableFiles.makeDirectory(temporary)
            do throws(RegistryError) {
                for (name, data) in files { try DurableFiles.writeNewFile(data, at: temporary + "/" + name) }
                try DurableFiles.writeNewFile(manifestData, at: temporary + "/" + Self.manifestName)
                try DurableFiles.syncDirectory(temporary)
                // The commit point: the version directory appears whole, or not at all.
                let code = DurableFiles.renameItem(temporary, groupDir + "/" + version.id)
                if code == EEXIST || code == ENOTEMPTY || code == ENOTDIR {
                    // Only possible if something outside the registry made this name.
                    throw RegistryError(.versionExists, "the version directory already exists", group: group, version: version.id)
                } else if code != 0 {
                    throw DurableFiles.failure("cannot rename to", groupDir + "/" + version.id, errno: code)
                }
                try DurableFiles.syncDirectory(groupDir)
            } catch {
                try? DurableFiles.removeTree(temporary)
                if first { _ = unlink(marker) }
                throw error
            }
            if makeCurrent { try writePointer(groupDir: groupDir, to: version) }
            // Not synced: a marker that outlives a CURRENT is stale and removed by the next repair.
            if first { _ = unlink(marker) }
            return version
        }
    }

    /// Sets `createdAt`, encodes the manifest and derives the version id from its hash.
    private func stamp(_ manifest: inout ModelManifest, seconds: Int64,
                       group: String) throws(RegistryError) -> (Data, ModelVersion) {
        manifest.createdAt = seconds
        let data: Data
        do {
            data = try manifest.encoded()
        } catch {
            throw RegistryError(.invalidManifest, "manifest cannot be written as JSON: \(error)", group: group)
        }
        guard let version = ModelVersion(seconds: seconds, digest: Self.sha256(data)) else {
            throw RegistryError(.invalidManifest, "time \(seconds) gives no version id (years 0000–9999 only)", group: group)
        }
        return (data, version)
    }

    /// Creates the root and group directories when missing, making their names durable.
    private func prepareGroupDirectory(_ groupDir: String) throws(RegistryError) {
        if DurableFiles.isDirectory(groupDir) { return }
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.io, "cannot create \(root.path): \(error)")
        }
        try DurableFiles.makeDirectory(groupDir)
        try DurableFiles.syncDirectory(root.path)
    }

    /// Swaps `CURRENT` to `version`: a uniquely named temporary file, fsync, rename, fsync the directory.
    /// Callers hold the group lock.
    func writePointer(groupDir: String, to version: ModelVersion) throws(RegistryError) {
        let temporary = groupDir + "/" + Self.pointerTemporaryPrefix + DurableFiles.randomSuffix()
        try DurableFiles.writeNewFile(Data((version.id + "\n").utf8), at: temporary)
        let code = DurableFiles.renameItem(temporary, groupDir + "/" + Self.currentName)
        guard code == 0 else {
            _ = unlink(temporary)
            throw DurableFiles.failure("cannot rename to", groupDir + "/" + Self.currentName, errno: code)
        }
        try DurableFiles.syncDirectory(groupDir)
        touchGeneration()
    }

    // MARK: Change marker

    /// `<root>/.generation`: a random token rewritten after every pointer change (publish,
    /// promote, roll back), so that a reader serving many groups can tell from one small read
    /// that no `CURRENT` moved (docs/models.md, "Change marker").
    static let generationName = ".generation"

    /// The registry's change token; nil when the marker does not exist (nothing changed a pointer
    /// since it was introduced, or the root does not exist). A reader that sees the same token
    /// twice knows no pointer was written through the registry in between.
    public func generation() throws(RegistryError) -> String? {
        guard let data = try DurableFiles.read(rootPath + "/" + Self.generationName) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Replaces the token (temp file + rename, so a reader sees the old token or the new). Not
    /// fsynced: after a power loss the actuator starts over and reads every pointer anyway. A
    /// failure is ignored — readers also check every pointer periodically.
    func touchGeneration() {
        let token = DurableFiles.randomSuffix() + "-" + DurableFiles.randomSuffix()
        let temporary = rootPath + "/" + Self.pointerTemporaryPrefix + "generation-" + DurableFiles.randomSuffix()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array(token.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written != bytes.count || DurableFiles.renameItem(temporary, rootPath + "/" + Self.generationName) != 0 {
            _ = unlink(temporary)
        }
    }

    /// Lower-case hex SHA-256 of `data`.
    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }
}
