import Actuator
import Foundation
import ModelRegistry
import ScoringTestSupport
import Testing

/// `ModelCatalog.refresh` skips reading every group's pointer while the registry's change marker
/// stays the same, and still reads them all every `fullCheckEvery` refreshes.
@Suite struct ScoringCatalogMarkerTests {
    static func publish(_ registry: ModelRegistry, _ group: String, count: Int = 72) throws -> ModelVersion {
        try ScoringFixture.publish(registry, group: group, kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", ScoringFixture.values(count: count))])
    }

    @Test("a version promoted through the registry is loaded at the next refresh")
    func promotedVersionIsSeenAtOnce() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let v1 = try Self.publish(registry, "web")
        let w1 = try Self.publish(registry, "api")
        let catalog = Actuator.ModelCatalog(registry: registry, fullCheckEvery: 1000)
        #expect(catalog.refresh() == ["web": .loaded(v1, previous: nil), "api": .loaded(w1, previous: nil)])
        #expect(catalog.refresh() == ["web": .unchanged(v1), "api": .unchanged(w1)])
        let v2 = try Self.publish(registry, "web", count: 80)
        #expect(catalog.refresh() == ["web": .loaded(v2, previous: v1), "api": .unchanged(w1)])
        _ = try registry.rollback(group: "web")
        #expect(catalog.refresh() == ["web": .loaded(v1, previous: v2), "api": .unchanged(w1)])
        // A group published for the first time appears when the catalog follows the registry's groups.
        let all = Actuator.ModelCatalog(registry: registry, fullCheckEvery: 1000)
        _ = all.refresh()
        let d1 = try Self.publish(registry, "db")
        #expect(all.refresh()["db"] == .loaded(d1, previous: nil))
    }

    @Test("a CURRENT edited by hand (the marker unchanged) is loaded at the next full check")
    func handEditIsSeenAtTheFullCheck() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let v1 = try Self.publish(registry, "web")
        let v2 = try Self.publish(registry, "web", count: 80)
        try registry.promote(group: "web", version: v1)
        let catalog = Actuator.ModelCatalog(registry: registry, fullCheckEvery: 3)
        #expect(catalog.refresh() == ["web": .loaded(v1, previous: nil)])           // full check
        let pointer = registry.root.appendingPathComponent("web").appendingPathComponent(ModelRegistry.currentName)
        try Data((v2.id + "\n").utf8).write(to: pointer)
        #expect(catalog.refresh() == ["web": .unchanged(v1)])                       // marker unchanged
        #expect(catalog.refresh() == ["web": .unchanged(v1)])
        #expect(catalog.refresh() == ["web": .loaded(v2, previous: v1)])           // third: full check
    }

    @Test("a group whose last refresh failed is retried on every refresh, the marker unchanged")
    func failedGroupIsRetried() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let v1 = try Self.publish(registry, "web")
        let w1 = try Self.publish(registry, "api")
        let file = try registry.load(group: "web", version: v1).directory.appendingPathComponent("seasonal-naive.json")
        let good = try Data(contentsOf: file)
        var bad = good
        bad[bad.count / 2] ^= 0x01
        try bad.write(to: file)
        let catalog = Actuator.ModelCatalog(registry: registry, fullCheckEvery: 1000)
        let first = catalog.refresh()
        guard case .failed(_, serving: nil)? = first["web"] else { Issue.record("a tampered version must not load"); return }
        #expect(first["api"] == .loaded(w1, previous: nil))
        // Repaired by hand: no pointer moved, so only the retry of the failed group can find it.
        try good.write(to: file)
        #expect(catalog.refresh() == ["web": .loaded(v1, previous: nil), "api": .unchanged(w1)])
    }
}
