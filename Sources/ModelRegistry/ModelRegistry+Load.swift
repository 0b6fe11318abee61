import Foundation

/// A model version read from disk whose manifest and files all matched their checksums.
public struct LoadedModel: Sendable {
    public let group: String
    public let version: ModelVersion
    public let manifest: ModelManifest
    public let directory: URL
    /// The verified bytes of every file the manifest lists, by name. These are the bytes that were
    /// hashed, so a file replaced on disk after loading cannot slip in unverified.
    public let files: [String: Data]

    /// The bytes of parameter file `name`; throws `missingFile` when the manifest does not list it.
    public func data(_ name: String) throws(RegistryError) -> Data {
        guard let data = files[name] else {
            throw RegistryError(.missingFile, "the manifest lists no file '\(name)'", group: group,
                                version: version.id, file: name)
        }
        return data
    }
}

extension ModelRegistry {
    /// Loads and verifies `version` of `group`, or the one `CURRENT` names when `version` is nil.
    ///
    /// Refuses, with a `RegistryError` naming the group, version and file: an unknown schema
    /// version, a manifest that does not match the hash in its version id, a missing listed file,
    /// and a file whose size or SHA-256 differs from the manifest.
    public func load(group: String, version: ModelVersion? = nil) throws(RegistryError) -> LoadedModel {
        if let version { return try read(group: group, version: version) }
        // A writer may swap CURRENT and `retain` remove the old version between our reading the
        // pointer and the files; if the pointer moved meanwhile, follow it (a few times at most).
        var attempts = 0
        while true {
            guard let pointed = try current(group: group) else { throw nothingInService(group: group) }
            do {
                return try read(group: group, version: pointed)
            } catch {
                attempts += 1
                guard attempts < 3, error.code == .versionNotFound || error.code == .missingFile,
                      let now = try current(group: group), now != pointed else {
                    if error.code == .versionNotFound {
                        throw RegistryError(.versionNotFound, "CURRENT names version \(pointed.id), which does not exist",
                                            group: group, version: pointed.id, file: Self.currentName)
                    }
                    throw error
                }
            }
        }
    }

    /// Checks `version` of `group` (default: CURRENT) as `load` does, and also that its directory
    /// holds no file the manifest does not list. Throws the first problem found.
    @discardableResult
    public func verify(group: String, version: ModelVersion? = nil) throws(RegistryError) -> LoadedModel {
        let model = try load(group: group, version: version)
        let expected = Set(model.manifest.files.keys).union([Self.manifestName])
        if let extra = try DurableFiles.list(model.directory.path).filter({ !expected.contains($0) }).sorted().first {
            throw RegistryError(.unlistedFile, "the directory holds a file the manifest does not list",
                                group: group, version: model.version.id, file: extra)
        }
        return model
    }

    /// The manifest of `version` of `group` (default: CURRENT), checked for schema version and
    /// against the hash in its version id, without reading or verifying the parameter files.
    public func manifest(group: String, version: ModelVersion? = nil) throws(RegistryError) -> ModelManifest {
        if let version { return try readManifest(group: group, version: version).manifest }
        guard let pointed = try current(group: group) else { throw nothingInService(group: group) }
        return try readManifest(group: group, version: pointed).manifest
    }

    private func readManifest(group: String, version: ModelVersion) throws(RegistryError) -> (dir: String, manifest: ModelManifest) {
        let dir = try versionPath(group, version)
        func fail(_ code: RegistryError.Code, _ message: String) -> RegistryError {
            RegistryError(code, message, group: group, version: version.id, file: Self.manifestName)
        }
        guard DurableFiles.isDirectory(dir) else {
            throw RegistryError(.versionNotFound, "no such version directory", group: group, version: version.id)
        }
        guard let manifestData = try DurableFiles.read(dir + "/" + Self.manifestName) else {
            throw fail(.missingFile, "the version has no manifest")
        }
        let manifest = try decodeManifest(manifestData, fail: fail)
        // The version id carries the manifest's own hash prefix: a hand-edited manifest is refused.
        let digest = Self.sha256(manifestData)
        guard digest.hasPrefix(version.hash) else {
            throw fail(.checksumMismatch, "manifest sha256 \(digest.prefix(8))… does not match the version id's \(version.hash)")
        }
        return (dir, manifest)
    }

    /// The error for a group without CURRENT: `groupNotFound` when the group does not exist at all.
    package func nothingInService(group: String) -> RegistryError {
        if let path = try? groupPath(group), !DurableFiles.isDirectory(path) {
            return RegistryError(.groupNotFound, "no such group under \(root.path)", group: group)
        }
        return RegistryError(.noCurrentVersion, "nothing has been published (no CURRENT file)", group: group)
    }

    /// Reads one version directory and checks everything against its manifest.
    func read(group: String, version: ModelVersion) throws(RegistryError) -> LoadedModel {
        let (dir, manifest) = try readManifest(group: group, version: version)
        func fail(_ code: RegistryError.Code, _ message: String, file: String? = nil) -> RegistryError {
            RegistryError(code, message, group: group, version: version.id, file: file)
        }
        var files: [String: Data] = [:]
        for (name, entry) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard RegistryNames.isValidFile(name) else {
                throw fail(.invalidManifest, "the manifest lists an invalid file name '\(name)'", file: Self.manifestName)
            }
            guard let data = try DurableFiles.read(dir + "/" + name) else {
                throw fail(.missingFile, "a file the manifest lists is missing", file: name)
            }
            guard data.count == entry.bytes else {
                throw fail(.checksumMismatch, "size is \(data.count) bytes, the manifest lists \(entry.bytes)", file: name)
            }
            let actual = Self.sha256(data)
            guard actual == entry.sha256.lowercased() else {
                throw fail(.checksumMismatch, "sha256 is \(actual), the manifest lists \(entry.sha256)", file: name)
            }
            files[name] = data
        }
        return LoadedModel(group: group, version: version, manifest: manifest,
                           directory: URL(fileURLWithPath: dir, isDirectory: true), files: files)
    }

    /// Decodes a manifest, checking the schema version first so a future layout gets that error
    /// rather than whatever field fails to decode.
    private func decodeManifest(_ data: Data, fail: (RegistryError.Code, String) -> RegistryError) throws(RegistryError) -> ModelManifest {
        struct Peek: Decodable {
            let schema_version: Int?
        }
        let peek: Peek
        do {
            peek = try JSONDecoder().decode(Peek.self, from: data)
        } catch {
            throw fail(.invalidManifest, "manifest is not a JSON object with an integer schema_version")
        }
        guard let schema = peek.schema_version else {
            throw fail(.invalidManifest, "manifest has no schema_version")
        }
        guard schema == ModelManifest.currentSchemaVersion else {
            throw fail(.unsupportedSchemaVersion,
                       "manifest schema version \(schema) is not supported: this build reads version \(ModelManifest.currentSchemaVersion)")
        }
        do {
            return try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch {
            throw fail(.invalidManifest, "manifest does not decode: \(Self.describe(error))")
        }
    }

    /// A one-line account of a decoding error: the failing key path and the reason.
    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? context.debugDescription : keys.joined(separator: ".") + ": " + context.debugDescription
        }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return path(c)
        case .keyNotFound(let key, let c)?: return path(c) + " (missing key \(key.stringValue))"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: return path(c)
        default: return "\(error)"
        }
    }
}
