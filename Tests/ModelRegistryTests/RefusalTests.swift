import Foundation
import Testing
@testable import ModelRegistry

/// The loader refuses damaged or foreign model files with an error naming what is wrong.
@Suite struct RefusalTests {
    @Test func aFlippedByteIsAChecksumErrorNamingTheFile() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        let path = scratch.path("web", version.id, "p1.bin")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[17] ^= 0x01
        try overwrite(path, bytes)

        let error = try #require(registryError { _ = try registry.load(group: "web") })
        #expect(error.code == .checksumMismatch)
        #expect(error.group == "web")
        #expect(error.version == version.id)
        #expect(error.file == "p1.bin")
        #expect(error.description.contains("web/\(version.id)/p1.bin"))
    }

    @Test func aTruncatedFileIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        let path = scratch.path("web", version.id, "p0.bin")
        try overwrite(path, try Data(contentsOf: URL(fileURLWithPath: path)).prefix(10))
        let error = registryError { _ = try registry.load(group: "web") }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.file == "p0.bin")
    }

    @Test func aHandEditedManifestNoLongerMatchesItsVersionId() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        let path = scratch.path("web", version.id, "manifest.json")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // Still a valid manifest: only a hyper-parameter changed.
        try overwrite(path, Data(text.replacingOccurrences(of: "\"seed\" : 1", with: "\"seed\" : 2").utf8))
        #expect(text.contains("\"seed\" : 1"))
        let error = registryError { _ = try registry.load(group: "web") }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.file == "manifest.json")
    }

    @Test func anUnknownSchemaVersionIsRefusedClearly() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        let path = scratch.path("web", version.id, "manifest.json")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"schema_version\" : 1"))
        // A future layout: new schema number and a field renamed, which must not mask the real reason.
        try overwrite(path, Data(text.replacingOccurrences(of: "\"schema_version\" : 1", with: "\"schema_version\" : 2")
            .replacingOccurrences(of: "\"kind\"", with: "\"model_kind\"").utf8))
        let error = try #require(registryError { _ = try registry.load(group: "web") })
        #expect(error.code == .unsupportedSchemaVersion)
        #expect(error.file == "manifest.json")
        #expect(error.message.contains("schema version 2"))
        #expect(error.message.contains("reads version 1"))
    }

    @Test func aManifestThatIsNotJSONIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        try overwrite(scratch.path("web", version.id, "manifest.json"), Data("{ not json".utf8))
        #expect(registryError { _ = try registry.load(group: "web") }?.code == .invalidManifest)
    }

    @Test func aMissingListedFileIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        try FileManager.default.removeItem(atPath: scratch.path("web", version.id, "p0.bin"))
        let error = registryError { _ = try registry.load(group: "web") }
        #expect(error?.code == .missingFile)
        #expect(error?.file == "p0.bin")
        try FileManager.default.removeItem(atPath: scratch.path("web", version.id, "manifest.json"))
        let noManifest = registryError { _ = try registry.load(group: "web", version: version) }
        #expect(noManifest?.code == .missingFile)
        #expect(noManifest?.file == "manifest.json")
    }

    @Test func anUnlistedFileFailsVerifyButNotLoad() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        try overwrite(scratch.path("web", version.id, "stray.bin"), Data([0]))
        #expect(try registry.load(group: "web").version == version)
        let error = registryError { try registry.verify(group: "web") }
        #expect(error?.code == .unlistedFile)
        #expect(error?.file == "stray.bin")
    }

    @Test func currentNamingAMissingVersionIsAClearError() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        _ = try publishSample(registry, seed: 1)
        try overwrite(scratch.path("web", "CURRENT"), Data("20200101T000000Z-deadbeef\n".utf8))
        let error = try #require(registryError { _ = try registry.load(group: "web") })
        #expect(error.code == .versionNotFound)
        #expect(error.version == "20200101T000000Z-deadbeef")
        #expect(error.message.contains("CURRENT"))
    }

    @Test func aMissingGroupOrAbsentOrGarbledCurrentIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        #expect(registryError { _ = try registry.load(group: "web") }?.code == .groupNotFound)
        try registry.publish(group: "web", manifest: ModelManifest(kind: "k"), files: [:], makeCurrent: false)
        #expect(registryError { _ = try registry.load(group: "web") }?.code == .noCurrentVersion)
        _ = try publishSample(registry, seed: 1)
        try overwrite(scratch.path("web", "CURRENT"), Data("../../etc/passwd".utf8))
        #expect(registryError { _ = try registry.load(group: "web") }?.code == .noCurrentVersion)
    }

    @Test func aManifestListingAPathOutsideItsDirectoryIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try publishSample(registry, seed: 1)
        let dir = scratch.path("web", version.id)
        let text = try String(contentsOfFile: dir + "/manifest.json", encoding: .utf8)
        let edited = Data(text.replacingOccurrences(of: "\"p0.bin\"", with: "\"..\\/p0.bin\"").utf8)
        // Re-home the edited manifest under a version id matching its new hash, as an attacker could.
        let hash = String(try referenceSHA256Of(edited).prefix(8))
        let forged = String(version.id.prefix(17)) + hash
        try FileManager.default.copyItem(atPath: dir, toPath: scratch.path("web", forged))
        try overwrite(scratch.path("web", forged, "manifest.json"), edited)
        let forgedVersion = try #require(ModelVersion(forged))
        let error = registryError { _ = try registry.load(group: "web", version: forgedVersion) }
        #expect(error?.code == .invalidManifest)
    }
}

/// `sha256sum` of in-memory bytes, via a temporary file.
func referenceSHA256Of(_ data: Data) throws -> String {
    let path = NSTemporaryDirectory() + "psm-sha-" + UUID().uuidString
    try data.write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try referenceSHA256(path)
}
