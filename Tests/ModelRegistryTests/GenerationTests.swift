import Foundation
import Testing
@testable import ModelRegistry

/// The registry's change marker: every pointer change through the registry gives a new token;
/// reads and failed writes do not.
@Suite struct GenerationTests {
    @Test("publish, promote and roll back each change the token; loading and listing do not")
    func everyPointerChangeChangesTheToken() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let clock = ManualClock("20261129T040000Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        #expect(try registry.generation() == nil, "no marker before anything was published")
        var seen: [String] = []
        func token() throws -> String {
            let t = try #require(try registry.generation())
            #expect(!seen.contains(t), "token \(t) repeated")
            seen.append(t)
            return t
        }
        let v1 = try publishSample(registry, seed: 1)
        let afterPublish = try token()
        clock.advance(60)
        let v2 = try publishSample(registry, seed: 2)
        _ = try token()
        _ = try registry.load(group: "web")
        _ = try registry.versions(group: "web")
        _ = try registry.current(group: "web")
        #expect(try registry.generation() == seen.last, "reads leave the token alone")
        #expect(try registry.rollback(group: "web") == v1)
        _ = try token()
        try registry.promote(group: "web", version: v2)
        _ = try token()
        clock.advance(60)
        // A version published without moving CURRENT changes no pointer.
        try registry.publish(group: "web", manifest: ModelManifest(kind: "sample"), files: [:], makeCurrent: false)
        #expect(try registry.generation() == seen.last)
        #expect(afterPublish != seen.last)
        // The marker is not a group, and leaves no temporary file behind.
        #expect(try registry.groups() == ["web"])
        let rootEntries = try FileManager.default.contentsOfDirectory(atPath: scratch.root.path).sorted()
        #expect(rootEntries == [ModelRegistry.generationName, "web"])
    }
}
