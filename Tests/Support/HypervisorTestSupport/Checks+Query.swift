import Hypervisor
import Testing

/// Reading back: metadata through `list`, stats, errors for missing domains, odd names, bad specs.
extension Checks {
    static func metadataRoundTripsThroughList(_ s: Scope) async throws {
        try await s.define("tagged-a", metadata: s.metadata("a-1", group: "web"))
        try await s.define("tagged-b", metadata: s.metadata("b-1", group: "db"))
        try await s.define("untagged")
        try await s.hypervisor.start(s.name("tagged-b"))
        let listed = Dictionary(uniqueKeysWithValues: try await s.hypervisor.list().map { ($0.name, $0) })
        #expect(listed[s.name("tagged-a")]?.metadata == s.metadata("a-1", group: "web"))
        #expect(listed[s.name("tagged-b")]?.metadata == s.metadata("b-1", group: "db"))
        #expect(listed[s.name("tagged-b")]?.state == .running)
        let untagged = try #require(listed[s.name("untagged")], "domains psm did not tag are listed too")
        #expect(untagged.metadata == nil)
    }

    static func setMetadataReplacesAndRemoves(_ s: Scope) async throws {
        let name = try await s.running("retag")
        var tag = s.metadata("retag-1")
        try await s.hypervisor.setMetadata(tag, of: name)
        #expect(try await s.hypervisor.info(name).metadata == tag)
        tag.role = .active
        tag.reservationHost = nil
        try await s.hypervisor.setMetadata(tag, of: name)
        #expect(try await s.hypervisor.list().first { $0.name == name }?.metadata == tag)
        try await s.hypervisor.destroy(name)
        #expect(try await s.hypervisor.info(name).metadata == tag, "the persistent definition holds the tag")
        try await s.hypervisor.setMetadata(nil, of: name)
        #expect(try await s.hypervisor.info(name).metadata == nil)
    }

    static func statsCoverRunningDomainsOnly(_ s: Scope) async throws {
        let running = try await s.running("stats-running")
        let paused = try await s.running("stats-paused")
        try await s.hypervisor.suspend(paused)
        try await s.define("stats-off")
        let stats = Dictionary(uniqueKeysWithValues: try await s.hypervisor.stats().map { ($0.name, $0) })
        #expect(stats[running]?.state == .running)
        #expect(stats[paused]?.state == .paused)
        #expect(stats[s.name("stats-off")] == nil, "inactive domains have no live counters")
        for record in stats.values {
            if let current = record.balloonCurrentKiB, let maximum = record.balloonMaximumKiB { #expect(current <= maximum) }
            if let vcpus = record.vcpus { #expect(vcpus >= 1) }
        }
    }

    /// The host's size is positive and stable between two reads; free memory, when known, is at
    /// most the host's memory.
    static func nodeInfoReportsTheHostsSize(_ s: Scope) async throws {
        let first = try await s.hypervisor.nodeInfo()
        #expect(first.cpus >= 1)
        #expect(first.memoryKiB > 0)
        if let free = first.freeMemoryKiB { #expect(free <= first.memoryKiB) }
        let second = try await s.hypervisor.nodeInfo()
        #expect(second.cpus == first.cpus && second.memoryKiB == first.memoryKiB)
    }

    static func unknownDomainIsNotFound(_ s: Scope) async throws {
        let name = s.name("no-such-domain")
        let h = s.hypervisor
        await expectCode(.notFound, "info") { () async throws(HypervisorError) in _ = try await h.info(name) }
        await expectCode(.notFound, "start") { () async throws(HypervisorError) in try await h.start(name) }
        await expectCode(.notFound, "suspend") { () async throws(HypervisorError) in try await h.suspend(name) }
        await expectCode(.notFound, "resume") { () async throws(HypervisorError) in try await h.resume(name) }
        await expectCode(.notFound, "managedSave") { () async throws(HypervisorError) in try await h.managedSave(name) }
        await expectCode(.notFound, "restore") { () async throws(HypervisorError) in _ = try await h.restore(name) }
        await expectCode(.notFound, "setVCPUs") { () async throws(HypervisorError) in try await h.setVCPUs(name, to: 2) }
        await expectCode(.notFound, "setMemory") { () async throws(HypervisorError) in try await h.setMemory(name, toKiB: 1024) }
        await expectCode(.notFound, "destroy") { () async throws(HypervisorError) in try await h.destroy(name) }
        await expectCode(.notFound, "undefine") { () async throws(HypervisorError) in
            try await h.undefine(name, removingManagedSave: true)
        }
        await expectCode(.notFound, "setMetadata") { () async throws(HypervisorError) in
            try await h.setMetadata(nil, of: name)
        }
        await expectCode(.notFound, "interfaceAddresses") { () async throws(HypervisorError) in
            _ = try await h.interfaceAddresses(name)
        }
    }

    static func oddNamesAreEscaped(_ s: Scope) async throws {
        let odd = s.name("a&b <c> 'd' \"e\" ]]> é€")
        let tag = ShadowMetadata(group: "g&<>'\"", shadowID: "id &amp; literal", role: .init(rawValue: "custom'role"),
                                 reservationHost: "host <1>", baseline: Scope.baseline, full: Scope.full,
                                 createdAt: 1_790_000_123)
        try await s.define(odd, metadata: tag, rawName: true)
        let info = try await s.hypervisor.info(odd)
        #expect(info.name == odd)
        #expect(info.metadata == tag)
        try await s.hypervisor.start(odd)
        let listed = try await s.hypervisor.list().first { $0.name == odd }
        #expect(listed?.metadata == tag)
        #expect(listed?.state == .running)
    }

    static func invalidSpecIsRejectedBeforeDefining(_ s: Scope) async throws {
        let h = s.hypervisor
        let tooBig = s.context.makeSpec(s.name("too-big"), Scope.baseline, Scope.full, nil)
        await expectCode(.invalidSpec, "current above maximum") { () async throws(HypervisorError) in
            _ = try await h.define(tooBig)
        }
        let unnamed = s.context.makeSpec("", Scope.full, Scope.baseline, nil)
        await expectCode(.invalidSpec, "empty name") { () async throws(HypervisorError) in _ = try await h.define(unnamed) }
        #expect(try await h.list().contains { $0.name == s.name("too-big") } == false)
    }
}
