import Foundation
import Testing
@testable import ModelRegistry

/// promote, rollback and retain: which version serves afterwards and what stays on disk.
@Suite struct LifecycleTests {
    /// Three versions a minute apart; CURRENT is the last.
    func threeVersions(_ scratch: Scratch) throws -> (ModelRegistry, [ModelVersion]) {
        let clock = ManualClock("20261129T040000Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        var versions: [ModelVersion] = []
        for seed in 1...3 {
            versions.append(try publishSample(registry, seed: seed))
            clock.advance(60)
        }
        return (registry, versions)
    }

    @Test func rollbackStepsBackOneVersionAtATimeThenStops() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let (registry, v) = try threeVersions(scratch)
        #expect(try registry.current(group: "web") == v[2])
        #expect(try registry.rollback(group: "web") == v[1])
        #expect(try registry.load(group: "web").version == v[1])
        #expect(try registry.rollback(group: "web") == v[0])
        let error = registryError { try registry.rollback(group: "web") }
        #expect(error?.code == .nothingToRollBack)
        #expect(try registry.current(group: "web") == v[0])
    }

    @Test func rollbackToANamedVersionAndPromoteForward() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let (registry, v) = try threeVersions(scratch)
        #expect(try registry.rollback(group: "web", to: v[0]) == v[0])
        try registry.promote(group: "web", version: v[2])
        #expect(try registry.current(group: "web") == v[2])
        // Every version is still there: promote and rollback only move the pointer.
        #expect(try registry.versions(group: "web") == v)
    }

    @Test func rollbackSkipsACorruptPreviousVersion() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let (registry, v) = try threeVersions(scratch)
        try overwrite(scratch.path("web", v[1].id, "p0.bin"), Data([1, 2, 3]))
        #expect(try registry.rollback(group: "web") == v[0])
    }

    @Test func aCorruptOrUnknownVersionIsNeverPromoted() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let (registry, v) = try threeVersions(scratch)
        try overwrite(scratch.path("web", v[0].id, "p1.bin"), Data([9]))
        #expect(registryError { try registry.promote(group: "web", version: v[0]) }?.code == .checksumMismatch)
        #expect(registryError { try registry.rollback(group: "web", to: v[0]) }?.code == .checksumMismatch)
        let unknown = try #require(ModelVersion("20300101T000000Z-00000000"))
        #expect(registryError { try registry.promote(group: "web", version: unknown) }?.code == .versionNotFound)
        #expect(registryError { try registry.promote(group: "nope", version: v[1]) }?.code == .groupNotFound)
        #expect(try registry.current(group: "web") == v[2])
    }

    @Test func retainKeepsTheNewestAndTheCurrentAndRemovesDebris() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let clock = ManualClock("20261129T040000Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        var v: [ModelVersion] = []
        for seed in 1...5 {
            v.append(try publishSample(registry, seed: seed))
            clock.advance(1)
        }
        try registry.promote(group: "web", version: v[1])
        // What a writer killed mid-publish leaves: a temporary version directory and pointer file.
        try FileManager.default.createDirectory(atPath: scratch.path("web", ".tmp-dead"), withIntermediateDirectories: false)
        try overwrite(scratch.path("web", ".tmp-dead", "p0.bin"), Data([0]))
        try overwrite(scratch.path("web", ".CURRENT.tmp-dead"), Data("x".utf8))

        let report = try registry.retain(group: "web", keep: 2)
        #expect(report.removedVersions == [v[0], v[2]])
        #expect(report.removedDebris == [".CURRENT.tmp-dead", ".tmp-dead"])
        #expect(try registry.versions(group: "web") == [v[1], v[3], v[4]])
        #expect(try registry.load(group: "web").version == v[1])
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path("web")).sorted()
        #expect(left == [".lock", "CURRENT", v[1].id, v[3].id, v[4].id].sorted())
        // Idempotent.
        #expect(try registry.retain(group: "web", keep: 2) == RetentionReport())
    }

    @Test func retainRefusesToKeepNothing() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let (registry, v) = try threeVersions(scratch)
        #expect(registryError { try registry.retain(group: "web", keep: 0) }?.code == .invalidArgument)
        #expect(try registry.retain(group: "web", keep: 1).removedVersions == [v[0], v[1]])
        #expect(try registry.load(group: "web").version == v[2])
    }
}
