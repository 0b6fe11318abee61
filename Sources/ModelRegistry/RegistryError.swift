/// A failure of the model registry: what went wrong (`code`), for which group, version and file.
public struct RegistryError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, stable for callers to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidName, invalidManifest, unsupportedSchemaVersion, checksumMismatch, missingFile
            case unlistedFile, noCurrentVersion, versionNotFound, versionExists, groupNotFound
            case nothingToRollBack, invalidArgument, io
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A group, version or file name outside the documented character set.
        package static let invalidName = Code(.invalidName)
        /// `manifest.json` is missing, not JSON, or does not decode as a manifest.
        package static let invalidManifest = Code(.invalidManifest)
        /// The manifest's `schema_version` is not one this build reads.
        package static let unsupportedSchemaVersion = Code(.unsupportedSchemaVersion)
        /// A file's SHA-256 (or size) differs from the one the manifest lists.
        package static let checksumMismatch = Code(.checksumMismatch)
        /// A file the manifest lists is not in the version directory.
        package static let missingFile = Code(.missingFile)
        /// The version directory holds a file the manifest does not list (reported by `verify` only).
        package static let unlistedFile = Code(.unlistedFile)
        /// The group has no `CURRENT` pointer (nothing published yet) or it is unreadable.
        package static let noCurrentVersion = Code(.noCurrentVersion)
        /// The named version directory does not exist.
        package static let versionNotFound = Code(.versionNotFound)
        /// The new version's directory name is already taken (only if something outside the registry made it).
        package static let versionExists = Code(.versionExists)
        /// The group directory does not exist.
        package static let groupNotFound = Code(.groupNotFound)
        /// `rollback` found no version older than the current one.
        package static let nothingToRollBack = Code(.nothingToRollBack)
        /// An argument out of range (a retention count below 1, for example).
        package static let invalidArgument = Code(.invalidArgument)
        /// A file-system call failed; the message holds the call and `strerror`.
        package static let io = Code(.io)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    public let group: String?
    public let version: String?
    /// The file concerned, relative to the version directory (`manifest.json`, `weights.bin`, …).
    public let file: String?

    package init(_ code: Code, _ message: String, group: String? = nil, version: String? = nil, file: String? = nil) {
        self.code = code
        self.message = message
        self.group = group
        self.version = version
        self.file = file
    }

    public var description: String {
        var location = group ?? ""
        if let version { location += "/\(version)" }
        if let file { location += "/\(file)" }
        return "model registry error (\(code)): \(message)" + (location.isEmpty ? "" : " [\(location)]")
    }
}
