import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import Scaling
import Testing

/// Adoption end to end: libvirt's test driver on a custom node holding shadows in the states an
/// actuator finds after a crash, against a store with the matching (and some stale) records.
@Suite struct InventoryAdoptionLibvirtTests {
    static func shadowDomain(_ name: String, group: String = "web", id: String, host: String?, runstate: Int,
                             vcpus: Int, memoryKiB: Int, saved: Bool = false) -> String {
        let hostAttribute = host.map { " host='\($0)'" } ?? ""
        return """
          <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
            <name>\(name)</name>
            <metadata>
              <psm:shadow xmlns:psm='https://psm.example/shadow/1' group='\(group)' id='\(id)' role='shadow'\(hostAttribute)
                          baseline-vcpus='1' baseline-memory-kib='262144' full-vcpus='4' full-memory-kib='1048576'
                          created-at='2026-09-21T10:00:00Z'/>
            </metadata>
            <memory unit='KiB'>1048576</memory>
            <currentMemory unit='KiB'>\(memoryKiB)</currentMemory>
            <vcpu current='\(vcpus)'>4</vcpu>
            <os><type>hvm</type></os>
            <test:runstate>\(runstate)</test:runstate>\(saved ? "\n    <test:hasmanagedsave>yes</test:hasmanagedsave>" : "")
          </domain>
        """
    }

    /// The node: s-1 parked and recorded; s-2 saved, unrecorded and without its host in the tag;
    /// s-3 running at full size mid-activation; s-4 paused and already grown mid-activation;
    /// s-5 of a group nobody configures; one domain psm never defined.
    static let node = """
        <node>
        \(shadowDomain("web-s1", id: "s-1", host: "h1", runstate: 3, vcpus: 1, memoryKiB: 262_144))
        \(shadowDomain("web-s2", id: "s-2", host: nil, runstate: 5, vcpus: 1, memoryKiB: 262_144, saved: true))
        \(shadowDomain("web-s3", id: "s-3", host: "h1", runstate: 1, vcpus: 4, memoryKiB: 1_048_576))
        \(shadowDomain("web-s4", id: "s-4", host: "h1", runstate: 3, vcpus: 4, memoryKiB: 1_048_576))
        \(shadowDomain("batch-s5", group: "batch", id: "s-5", host: "h1", runstate: 3, vcpus: 1, memoryKiB: 262_144))
          <domain type='test'>
            <name>unmanaged</name>
            <memory unit='KiB'>524288</memory>
            <vcpu>1</vcpu>
            <os><type>hvm</type></os>
          </domain>
        </node>
        """

    func record(_ id: String) -> ShadowRecord {
        ShadowRecord(id: id, group: "web", host: "h1", domainName: "web-\(id.replacingOccurrences(of: "-", with: ""))",
                     state: .ready, baselineVCPUs: 1, baselineMemoryMiB: 256, fullVCPUs: 4, fullMemoryMiB: 1_024,
                     reservedUnits: 40, createdAt: 1_000, updatedAt: 1_000)
    }

    /// The node's domains on a test-driver host, and a store that recorded s-1, s-3, s-4 and s-6
    /// with activations of s-3 and s-4 begun (what a crash mid-activation leaves).
    func seededWorld(_ directory: URL) throws -> (hypervisor: LibvirtHypervisor, store: MetricStore, clock: ManualWallClock) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let nodePath = directory.appendingPathComponent("node.xml").path
        try Self.node.write(toFile: nodePath, atomically: true, encoding: .utf8)
        let hypervisor = try LibvirtHypervisor(uri: "test://" + nodePath)
        let store = try MetricStore(path: directory.appendingPathComponent("store.sqlite").path)
        let clock = ManualWallClock(2_000)
        try Inventory(store: store, clock: clock).register([HostConfig(name: "h1", uri: "test://" + nodePath,
                                                                       capacity: CapacityAmount(vcpus: 64, memoryMiB: 65_536, units: 1_000))])
        for id in ["s-1", "s-3", "s-4", "s-6"] {
            guard case .reserved = try store.reserve(shadow: record(id), on: "h1", at: 1_000) else {
                throw MetricStoreError(.corruptData, "could not reserve \(id)")
            }
        }
        #expect(try store.beginActivation(id: "act-3", shadow: "s-3", at: 1_500) != .refused(.ready))
        #expect(try store.beginActivation(id: "act-4", shadow: "s-4", at: 1_500) != .refused(.ready))
        return (hypervisor, store, clock)
    }

    @Test func adoptionRepairsStoreAndDomainsAndASecondRunChangesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adoption-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (hypervisor, store, clock) = try seededWorld(directory)

        let report = try await Adoption.run(hypervisor: hypervisor, host: "h1", store: store, knownGroups: ["web"],
                                            clock: clock, units: { Int64($0.vcpus) * 10 })
        #expect(report.failed.isEmpty, "\(report.failed.map(\.reason))")

        let states = Dictionary(uniqueKeysWithValues: try store.shadows().map { ($0.id, $0.state) })
        #expect(states == ["s-1": .ready, "s-2": .ready, "s-3": .active, "s-4": .ready, "s-6": .gone])
        #expect(try store.reservations().map(\.shadowID) == ["s-1", "s-2", "s-4"])
        #expect(try store.reservations().first { $0.shadowID == "s-2" }?.amount
                == CapacityAmount(vcpus: 4, memoryMiB: 1_024, units: 40)) // units from the tag's full size
        #expect(try store.activations(shadow: "s-3").map(\.outcome) == [.succeeded])
        #expect(try store.activations(shadow: "s-4").map(\.outcome) == [.rolledBack])

        let domains = Dictionary(uniqueKeysWithValues: try await hypervisor.list().map { ($0.name, $0) })
        #expect(domains.keys.sorted() == ["unmanaged", "web-s1", "web-s2", "web-s3", "web-s4"])
        #expect(domains["web-s2"]?.metadata?.reservationHost == "h1")
        #expect(domains["web-s3"]?.metadata?.role == .active && domains["web-s3"]?.metadata?.reservationHost == nil)
        #expect(domains["web-s4"]?.state == .paused && domains["web-s4"]?.memoryKiB == 262_144)
        #expect(domains["unmanaged"]?.metadata == nil && domains["unmanaged"]?.state == .running)

        // Level-triggered: once agreed, a second start finds nothing to do and records nothing twice.
        clock.advance(by: 60)
        let again = try await Adoption.run(hypervisor: hypervisor, host: "h1", store: store, knownGroups: ["web"],
                                           clock: clock, units: { Int64($0.vcpus) * 10 })
        #expect(again.applied.isEmpty && again.failed.isEmpty && again.skipped.isEmpty)
        #expect(try store.activations(shadow: "s-3").count + store.activations(shadow: "s-4").count == 2)
    }

    /// Under leases (issue 15): adoption of a group taken over changes nothing once the group is
    /// no longer held, and its store steps are fenced with the group's lease.
    @Test func adoptionUnderALostLeaseChangesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adoption-lease-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (hypervisor, store, clock) = try seededWorld(directory)
        func snapshot() throws -> [String: ShadowState] { Dictionary(uniqueKeysWithValues: try store.shadows().map { ($0.id, $0.state) }) }
        let before = try snapshot()
        let domainsBefore = try await hypervisor.list().map(\.name).sorted()

        // The lease ran out before adoption: every action is left to the new holder.
        let notHeld = try await Adoption.run(hypervisor: hypervisor, host: "h1", store: store, knownGroups: ["web"], clock: clock,
                                             only: ["web"], fence: { _ in nil }, holds: { _ in false }, units: { Int64($0.vcpus) * 10 })
        #expect(notHeld.applied.isEmpty && notHeld.failed.isEmpty && !notHeld.skipped.isEmpty)
        #expect(try snapshot() == before)
        #expect(try await hypervisor.list().map(\.name).sorted() == domainsBefore)

        // Another actuator took the group: a store step fenced with the old token is refused.
        let old = try #require(try store.acquireLease(group: "web", owner: "a", at: 1_900, seconds: 10).lease)
        let new = try #require(try store.acquireLease(group: "web", owner: "b", at: 1_950, seconds: 100).lease)
        let stale = try await Adoption.run(hypervisor: hypervisor, host: "h1", store: store, knownGroups: ["web"], clock: clock,
                                           only: ["web"], fence: { _ in old.fence(at: 2_000) }, holds: { _ in true },
                                           units: { Int64($0.vcpus) * 10 })
        #expect(stale.applied.allSatisfy { if case .removeDomain = $0 { true } else if case .repairMetadata = $0 { true } else { false } },
                "only hypervisor steps may pass without the store: \(stale.applied)")
        #expect(!stale.failed.isEmpty && stale.failed.allSatisfy { $0.reason.contains("lease") }, "\(stale.failed.map(\.reason))")
        #expect(try store.shadows().first { $0.id == "s-2" } == nil, "the untracked domain was not adopted")
        #expect(try store.activations(shadow: "s-3").allSatisfy { $0.outcome == nil })

        // The holder's fence goes through: the same outcome as an unfenced start.
        let held = try await Adoption.run(hypervisor: hypervisor, host: "h1", store: store, knownGroups: ["web"], clock: clock,
                                          only: ["web"], fence: { _ in new.fence(at: 2_000) }, holds: { _ in true },
                                          units: { Int64($0.vcpus) * 10 })
        #expect(held.failed.isEmpty, "\(held.failed.map(\.reason))")
        #expect(try snapshot() == ["s-1": .ready, "s-2": .ready, "s-3": .active, "s-4": .ready, "s-6": .gone])
    }
}
