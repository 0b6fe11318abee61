@testable import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import Scaling
import Testing

/// A reconcile pass on full hosts: a shadow size no host could take is not attempted again in the
/// same pass (each attempt reads every host's availability), smaller shadows still are, and a
/// removal in the pass makes room again (libvirt's test driver, SQLite in memory).
@Suite struct ReconcilerRoomTests {
    static let two = ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 2_097_152), units: 4)
    static let one = ShadowTemplate(full: ResourceSize(vcpus: 1, memoryKiB: 1_048_576), units: 2)

    /// A reconciler over one host whose vCPUs are capped at `vcpus`, with `templates` per group.
    func reconciler(vcpus: Int64, templates: [String: ShadowTemplate]) throws -> (Reconciler, MetricStore) {
        let store = try MetricStore.inMemory()
        let clock = ManualWallClock(1_000)
        let inventory = Inventory(store: store, clock: clock)
        try inventory.register([HostConfig(name: "h1", uri: "test:///default",
                                           capacity: CapacityAmount(vcpus: vcpus, memoryMiB: 65_536, units: 1_000))])
        let hypervisor = try LibvirtHypervisor(uri: "test:///default")
        return (Reconciler(store: store, inventory: inventory, hypervisors: ["h1": hypervisor], templates: templates,
                           clock: clock, retry: .none, maximumActions: 100), store)
    }

    func ready(_ store: MetricStore, _ group: String) throws -> Int {
        try store.shadows(host: nil, group: group, states: [.ready]).count
    }

    @Test func aSizeThatFoundNoRoomIsSkippedButSmallerOnesArePlaced() async throws {
        // 5 vCPUs: a's two 2-vCPU shadows leave 1; b's 2-vCPU shadow cannot go, c's 1-vCPU one can.
        let (reconciler, store) = try reconciler(vcpus: 5, templates: ["a": Self.two, "b": Self.two, "c": Self.one])
        let report = await reconciler.reconcile(desired: ["a": 2, "b": 2, "c": 1])
        #expect(report.unplaced == ["b": 1])
        #expect(report.created.count == 3)
        #expect(try ready(store, "a") == 2 && ready(store, "b") == 0 && ready(store, "c") == 1)
        #expect(report.problems.isEmpty)
    }

    @Test func aRemovalInThePassMakesRoomForLaterGroups() async throws {
        let (reconciler, store) = try reconciler(vcpus: 4, templates: ["a": Self.two, "b": Self.two, "c": Self.two])
        _ = await reconciler.reconcile(desired: ["b": 2])
        #expect(try ready(store, "b") == 2)
        // Full: a (first by name) finds no room; b's shrink frees 4 vCPUs; c, after it, is placed.
        let report = await reconciler.reconcile(desired: ["a": 1, "b": 0, "c": 1])
        #expect(report.unplaced == ["a": 1])
        #expect(report.removed.count == 2)
        #expect(try ready(store, "a") == 0 && ready(store, "b") == 0 && ready(store, "c") == 1)
    }

    @Test func noRoomExcludesSizesAtLeastAsLargeInEveryDimension() {
        var noRoom = Reconciler.NoRoom()
        #expect(!noRoom.excludes(Self.two))
        noRoom.sizes.append(Reconciler.NoRoom.size(of: Self.two))
        #expect(noRoom.excludes(Self.two))
        #expect(noRoom.excludes(ShadowTemplate(full: ResourceSize(vcpus: 4, memoryKiB: 4_194_304), units: 8)))
        #expect(!noRoom.excludes(Self.one))
        // More vCPUs but less memory is not larger in every dimension: attempted.
        #expect(!noRoom.excludes(ShadowTemplate(full: ResourceSize(vcpus: 4, memoryKiB: 1_048_576), units: 4)))
    }
}
