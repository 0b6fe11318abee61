import Hypervisor
import Testing

/// Lifecycle behaviours: define, start, suspend/resume, live resizing, save/restore, removal.
enum Checks {
    static func defineKeepsMaximumAboveCurrent(_ s: Scope) async throws {
        let defined = try await s.define("sizes", metadata: s.metadata("shadow-1"))
        let info = try await s.hypervisor.info(s.name("sizes"))
        for reported in [defined, info] {
            #expect(reported.name == s.name("sizes"))
            #expect(reported.state == .shutoff)
            #expect(reported.vcpus == Scope.baseline.vcpus)
            #expect(reported.maximumVCPUs == Scope.full.vcpus)
            #expect(reported.memoryKiB == Scope.baseline.memoryKiB)
            #expect(reported.maximumMemoryKiB == Scope.full.memoryKiB)
            #expect(reported.metadata == s.metadata("shadow-1"))
        }
        try await s.hypervisor.start(s.name("sizes"))
        let live = try await s.hypervisor.info(s.name("sizes"))
        #expect(live.state == .running)
        #expect(live.vcpus == Scope.baseline.vcpus && live.maximumVCPUs == Scope.full.vcpus)
        #expect(live.maximumMemoryKiB == Scope.full.memoryKiB)
        #expect(try await s.memory(of: s.name("sizes"), reaching: Scope.baseline.memoryKiB) == Scope.baseline.memoryKiB)
    }

    static func startSuspendResumeCycle(_ s: Scope) async throws {
        let name = try await s.running("cycle")
        #expect(try await s.hypervisor.info(name).state == .running)
        for _ in 0..<3 {
            try await s.hypervisor.suspend(name)
            #expect(try await s.hypervisor.info(name).state == .paused)
            try await s.hypervisor.resume(name)
            #expect(try await s.hypervisor.info(name).state == .running)
        }
    }

    static func suspendOfPausedIsNoOp(_ s: Scope) async throws {
        let name = try await s.running("park-twice")
        try await s.hypervisor.suspend(name)
        try await s.hypervisor.suspend(name)
        #expect(try await s.hypervisor.info(name).state == .paused)
    }

    static func resumeOfRunningIsNotPaused(_ s: Scope) async throws {
        let name = try await s.running("resume-running")
        await expectCode(.notPaused, "resume of a running domain") { () async throws(HypervisorError) in
            try await s.hypervisor.resume(name)
        }
        #expect(try await s.hypervisor.info(name).state == .running)
    }

    static func startOfRunningIsAlreadyRunning(_ s: Scope) async throws {
        let name = try await s.running("start-twice")
        await expectCode(.alreadyRunning, "start of a running domain") { () async throws(HypervisorError) in
            try await s.hypervisor.start(name)
        }
        try await s.hypervisor.suspend(name)
        await expectCode(.alreadyRunning, "start of a paused domain") { () async throws(HypervisorError) in
            try await s.hypervisor.start(name)
        }
    }

    static func liveVCPUsGrowUpToMaximumOnly(_ s: Scope) async throws {
        let name = try await s.running("vcpus")
        for count in 2...Scope.full.vcpus {
            try await s.hypervisor.setVCPUs(name, to: count)
            #expect(try await s.hypervisor.info(name).vcpus == count)
        }
        await expectCode(.overMaximum, "setVCPUs above the maximum") { () async throws(HypervisorError) in
            try await s.hypervisor.setVCPUs(name, to: Scope.full.vcpus + 1)
        }
        await expectCode(.invalidArgument, "setVCPUs to zero") { () async throws(HypervisorError) in
            try await s.hypervisor.setVCPUs(name, to: 0)
        }
        #expect(try await s.hypervisor.info(name).vcpus == Scope.full.vcpus)
    }

    static func liveMemoryGrowsUpToMaximumOnly(_ s: Scope) async throws {
        let name = try await s.running("memory")
        try await s.hypervisor.setMemory(name, toKiB: 786_432)
        #expect(try await s.memory(of: name, reaching: 786_432) == 786_432)
        try await s.hypervisor.setMemory(name, toKiB: Scope.full.memoryKiB)
        #expect(try await s.memory(of: name, reaching: Scope.full.memoryKiB) == Scope.full.memoryKiB)
        await expectCode(.overMaximum, "setMemory above the maximum") { () async throws(HypervisorError) in
            try await s.hypervisor.setMemory(name, toKiB: Scope.full.memoryKiB + 1024)
        }
        #expect(try await s.memory(of: name, reaching: Scope.full.memoryKiB) == Scope.full.memoryKiB)
    }

    /// The activation path: scale a parked shadow while paused, then resume it.
    static func liveChangesWhilePaused(_ s: Scope) async throws {
        let name = try await s.running("activate")
        try await s.hypervisor.suspend(name)
        try await s.hypervisor.setVCPUs(name, to: Scope.full.vcpus)
        try await s.hypervisor.setMemory(name, toKiB: Scope.full.memoryKiB)
        try await s.hypervisor.resume(name)
        let info = try await s.hypervisor.info(name)
        #expect(info.state == .running)
        #expect(info.vcpus == Scope.full.vcpus)
        #expect(try await s.memory(of: name, reaching: Scope.full.memoryKiB) == Scope.full.memoryKiB)
    }

    static func liveChangesOnShutOffAreNotRunning(_ s: Scope) async throws {
        try await s.define("off")
        let name = s.name("off")
        await expectCode(.notRunning, "setVCPUs on a shut-off domain") { () async throws(HypervisorError) in
            try await s.hypervisor.setVCPUs(name, to: 2)
        }
        await expectCode(.notRunning, "setMemory on a shut-off domain") { () async throws(HypervisorError) in
            try await s.hypervisor.setMemory(name, toKiB: 524_288)
        }
        await expectCode(.notRunning, "suspend of a shut-off domain") { () async throws(HypervisorError) in
            try await s.hypervisor.suspend(name)
        }
        await expectCode(.notRunning, "resume of a shut-off domain") { () async throws(HypervisorError) in
            try await s.hypervisor.resume(name)
        }
        await expectCode(.notRunning, "managedSave of a shut-off domain") { () async throws(HypervisorError) in
            try await s.hypervisor.managedSave(name)
        }
        let info = try await s.hypervisor.info(name)
        #expect(info.state == .shutoff)
        #expect(info.vcpus == Scope.baseline.vcpus && info.memoryKiB == Scope.baseline.memoryKiB)
    }

    static func managedSaveThenRestoreReportsItsState(_ s: Scope) async throws {
        let name = try await s.running("saved")
        try await s.hypervisor.suspend(name)
        try await s.hypervisor.managedSave(name)
        #expect(try await s.hypervisor.info(name).state == .saved)
        let restored = try await s.hypervisor.restore(name)
        #expect(restored == .running || restored == .paused)
        if let pinned = s.context.restoredFromPausedState { #expect(restored == pinned) }
        #expect(try await s.hypervisor.info(name).state == restored, "restore reports the state it left")
        await expectCode(.alreadyRunning, "restore of an active domain") { () async throws(HypervisorError) in
            _ = try await s.hypervisor.restore(name)
        }
    }

    static func restoreWithoutImageIsRefused(_ s: Scope) async throws {
        try await s.define("never-saved")
        await expectCode(.noSaveImage, "restore of a domain without a save image") { () async throws(HypervisorError) in
            _ = try await s.hypervisor.restore(s.name("never-saved"))
        }
        #expect(try await s.hypervisor.info(s.name("never-saved")).state == .shutoff)
    }

    static func undefineWithSaveImageNeedsTheFlag(_ s: Scope) async throws {
        let name = try await s.running("keep-image")
        try await s.hypervisor.managedSave(name)
        await expectCode(.saveImagePresent, "undefine while a save image exists") { () async throws(HypervisorError) in
            try await s.hypervisor.undefine(name, removingManagedSave: false)
        }
        #expect(try await s.hypervisor.info(name).state == .saved)
        try await s.hypervisor.undefine(name, removingManagedSave: true)
        await expectCode(.notFound, "info after undefine") { () async throws(HypervisorError) in
            _ = try await s.hypervisor.info(name)
        }
    }

    static func destroyIsIdempotent(_ s: Scope) async throws {
        let name = try await s.running("destroy")
        try await s.hypervisor.destroy(name)
        #expect(try await s.hypervisor.info(name).state == .shutoff)
        try await s.hypervisor.destroy(name)
        #expect(try await s.hypervisor.info(name).state == .shutoff)
    }
}
