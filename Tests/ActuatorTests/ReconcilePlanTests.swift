import Actuator
import Hypervisor
import MetricStore
import Testing

/// The reconciler's difference of desired and actual pools, without a store or a hypervisor.
@Suite struct ReconcilePlanTests {
    static let template = ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 2_097_152), units: 10)

    static func shadow(_ id: String, _ group: String, _ state: ShadowState, created: Int64) -> ShadowRecord {
        ShadowRecord(id: id, group: group, host: "h1", domainName: "psm-\(group)-\(id)", state: state, baselineVCPUs: 1,
                     baselineMemoryMiB: 512, fullVCPUs: 2, fullMemoryMiB: 2048, reservedUnits: 10, createdAt: created,
                     updatedAt: created)
    }

    @Test("unfinished shadows first in listing order; groups by name: grow, shrink newest ready first, no template")
    func plansTheDifference() {
        let a = Self.shadow("a", "web", .ready, created: 1)
        let b = Self.shadow("b", "web", .ready, created: 3)
        let c = Self.shadow("c", "web", .defining, created: 2)
        let d = Self.shadow("d", "api", .planned, created: 4)
        let e = Self.shadow("e", "db", .decommissioning, created: 5)
        let f = Self.shadow("f", "db", .ready, created: 5)
        let plan = ReconcilePlan(shadows: [a, b, c, d, e, f],
                                 desired: ["web": 1, "api": 3, "db": 1, "x": 2, "y": 0],
                                 templates: ["web": Self.template, "api": Self.template, "db": Self.template])
        #expect(plan.unfinished == [c, d, e])
        // api: pool 1 (planned) → grow 2; db: pool 1 (decommissioning does not count) = 1; web: 3 → 1,
        // removing the two newest ready ones (the defining one finishes first); x: no template; y: 0 = 0.
        #expect(plan.changes == [.grow(group: "api", count: 2, template: Self.template),
                                 .shrink(group: "web", surplus: [b, a]),
                                 .missingTemplate(group: "x", count: 2)])
    }

    @Test("a pool above its size whose shadows are all being defined removes nothing now")
    func definingShadowsAreNotRemoved() {
        let p = Self.shadow("p", "web", .planned, created: 1)
        let q = Self.shadow("q", "web", .defining, created: 2)
        let r = Self.shadow("r", "web", .ready, created: 0)
        let plan = ReconcilePlan(shadows: [p, q, r], desired: ["web": 1], templates: ["web": Self.template])
        // Two to go, one ready: only the ready one is surplus.
        #expect(plan.changes == [.shrink(group: "web", surplus: [r])])
        let none = ReconcilePlan(shadows: [p, q], desired: ["web": 0], templates: ["web": Self.template])
        #expect(none.changes == [.shrink(group: "web", surplus: [])])
    }

    @Test("ties in creation time are broken by id, newest first")
    func tiesBrokenByID() {
        let shadows = ["s1", "s3", "s2"].map { Self.shadow($0, "web", .ready, created: 7) }
        let plan = ReconcilePlan(shadows: shadows, desired: ["web": 1], templates: [:])
        #expect(plan.changes == [.shrink(group: "web", surplus: [shadows[1], shadows[2]])])
    }
}
