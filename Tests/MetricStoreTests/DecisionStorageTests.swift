import MetricStore
import Testing

@Suite struct DecisionStorageTests {
    @Test func decisionsAreReadNewestFirstPerGroup() throws {
        let store = try MetricStore.inMemory()
        #expect(try store.appliedMigrations().suffix(2) == ["v2-actuator-inventory", "v3-actuator-decisions"])
        let ids = try store.insert(decisions: [("a", 100, "{\"n\":1}"), ("b", 150, "{}"), ("a", 200, "{\"n\":2}"),
                                               ("a", 200, "{\"n\":3}")])
        #expect(ids.count == 4)
        let latest = try store.decisions(group: "a", limit: 2)
        #expect(latest.map(\.json) == ["{\"n\":3}", "{\"n\":2}"] && latest.allSatisfy { $0.group == "a" })
        #expect(try store.decisions(group: "a", limit: 10).map(\.time) == [200, 200, 100])
        #expect(try store.decisions(group: "a", limit: 0).isEmpty)
        #expect(try store.deleteDecisions(before: 200) == 2)
        #expect(try store.decisions(group: "b").isEmpty)
    }
}
