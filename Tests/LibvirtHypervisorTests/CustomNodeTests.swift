import Foundation
import Hypervisor
import LibvirtHypervisor
import Testing

/// A node preloaded with a parked and a saved shadow, as an actuator finds them after a restart.
@Suite struct CustomNodeTests {
    func open() throws -> LibvirtHypervisor {
        let url = try #require(Bundle.module.url(forResource: "node", withExtension: "xml", subdirectory: "Fixtures"))
        return try LibvirtHypervisor(uri: "test://" + url.path)
    }

    @Test func listRecognisesParkedAndSavedShadowsByTheirMetadata() async throws {
        let hypervisor = try open()
        let listed = Dictionary(uniqueKeysWithValues: try await hypervisor.list().map { ($0.name, $0) })
        let parked = try #require(listed["web-shadow-1"])
        #expect(parked.state == .paused)
        #expect(parked.metadata == ShadowMetadata(group: "web", shadowID: "s-1", role: .shadow, reservationHost: "host-a",
                                                  baseline: ResourceSize(vcpus: 1, memoryKiB: 262_144),
                                                  full: ResourceSize(vcpus: 4, memoryKiB: 1_048_576),
                                                  createdAt: 1_789_984_800)) // `date -u -d 2026-09-21T10:00:00Z +%s`
        #expect(parked.vcpus == 1 && parked.maximumVCPUs == 4)
        let saved = try #require(listed["web-shadow-2"])
        #expect(saved.state == .saved)
        #expect(saved.metadata?.shadowID == "s-2" && saved.metadata?.reservationHost == nil)
        #expect(listed["unmanaged"]?.metadata == nil)
    }

    @Test func parkedShadowActivatesWithLiveGrowth() async throws {
        let hypervisor = try open()
        try await hypervisor.setVCPUs("web-shadow-1", to: 4)
        try await hypervisor.setMemory("web-shadow-1", toKiB: 1_048_576)
        try await hypervisor.resume("web-shadow-1")
        let info = try await hypervisor.info("web-shadow-1")
        #expect(info.state == .running && info.vcpus == 4 && info.memoryKiB == 1_048_576)
    }

    /// `allocations` (what a host's check reads) gives each domain the sizes `list` gives it:
    /// paused, saved, inactive and running domains, one of them grown live.
    @Test func allocationsAgreeWithListOnEveryDomain() async throws {
        let hypervisor = try open()
        try await hypervisor.setVCPUs("web-shadow-1", to: 3)
        try await hypervisor.setMemory("web-shadow-1", toKiB: 786_432)
        let listed = try await hypervisor.list()
        let allocations = try await hypervisor.allocations()
        #expect(listed.count >= 3)
        #expect(allocations == listed.map { DomainAllocation(name: $0.name, vcpus: $0.vcpus, memoryKiB: $0.memoryKiB) })
        #expect(allocations.first { $0.name == "web-shadow-1" } == DomainAllocation(name: "web-shadow-1", vcpus: 3, memoryKiB: 786_432))
    }

    @Test func savedShadowKeepsItsImageUntilUndefinedWithTheFlag() async throws {
        let hypervisor = try open()
        await #expect(throws: HypervisorError.self) { try await hypervisor.undefine("web-shadow-2", removingManagedSave: false) }
        do {
            try await hypervisor.undefine("web-shadow-2", removingManagedSave: false)
        } catch {
            #expect(error.code == .saveImagePresent)
            #expect(error.nativeCode == 55) // VIR_ERR_OPERATION_INVALID, kept for the log
            #expect(error.message.contains("managed save image exists"))
        }
        #expect(try await hypervisor.restore("web-shadow-2") == .running)
        try await hypervisor.managedSave("web-shadow-2")
        try await hypervisor.undefine("web-shadow-2", removingManagedSave: true)
        #expect(try await hypervisor.list().map(\.name) == ["unmanaged", "web-shadow-1"])
    }
}
