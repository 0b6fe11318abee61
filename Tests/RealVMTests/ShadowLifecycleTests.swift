import Foundation
import Hypervisor
import RealVMSupport
import RealVMTestSupport
import Testing

/// Real shadows on QEMU (TCG) through psm's LibvirtHypervisor, checked from the guest's own
/// serial output. Serialized with the other real-VM suite (RealVMSuite).
extension RealVMSuite {
@Suite struct ShadowLifecycleTests {
    @Test func pausedShadowActivatesAndTheGuestSeesItsNewSize() async throws {
        let name = RealVM.name("activate")
        try await withShadows([name]) { driver in
            _ = try await driver.coldStart(name)
            // MemTotal sits below the balloon's size (the kernel keeps some), never above it.
            let atBaseline = try await driver.park(name)
            #expect(atBaseline.cpus == ShadowDriver.baseline.vcpus)
            #expect(try await driver.hypervisor.info(name).state == .paused)

            let activation = try await driver.activatePaused(name)
            #expect(try await driver.hypervisor.info(name).state == .running)
            #expect(try await driver.hypervisor.info(name).vcpus == 2)
            #expect(activation.untilHeartbeat < .seconds(5), "resume → heartbeat took \(activation.untilHeartbeat)")

            // The guest onlines the hot-plugged CPU and its MemTotal follows the balloon: 768 MiB
            // minus what the kernel reserves (≈ 60 MB on this guest, so ≥ 700 MB is the bar).
            let grown = try driver.waitForHeartbeat(name) { $0.cpus == 2 && $0.memoryKiB >= 700_000 }
            #expect(grown.memoryKiB <= ShadowDriver.activated.memoryKiB)
            // libvirt reports the balloon's actual size, which QEMU updates as the guest deflates.
            var reported = try await driver.hypervisor.info(name).memoryKiB
            for _ in 0..<50 where reported != ShadowDriver.activated.memoryKiB {
                try await Task.sleep(for: .milliseconds(100))
                reported = try await driver.hypervisor.info(name).memoryKiB
            }
            #expect(reported == ShadowDriver.activated.memoryKiB)
        }
    }

    @Test func managedSaveRestoresPausedAndResumes() async throws {
        let name = RealVM.name("save")
        try await withShadows([name]) { driver in
            _ = try await driver.coldStart(name)
            try await driver.park(name)
            try await driver.hypervisor.managedSave(name)
            #expect(try await driver.hypervisor.info(name).state == .saved)
            #expect(RealVMGuest.qemuResidentKiB(of: name) == nil, "a saved shadow has no QEMU process")

            let activation = try await driver.activateSaved(name)
            // QEMU restores a domain saved while paused as paused (the test driver would not).
            #expect(activation.restoredState == .paused)
            #expect(activation.calls.map(\.0) == ["restore", "resume"])
            #expect(try await driver.hypervisor.info(name).state == .running)
            // The guest kept its memory: it goes on counting from where it was saved.
            let before = activation.heartbeat.sequence
            let later = try driver.waitForHeartbeat(name) { $0.sequence > before }
            #expect(later.cpus == ShadowDriver.baseline.vcpus)
        }
    }

    @Test func decommissionRemovesDomainAndSaveImage() async throws {
        let name = RealVM.name("decommission")
        try await withShadows([name]) { driver in
            _ = try await driver.coldStart(name)
            try await driver.park(name)
            try await driver.hypervisor.managedSave(name)
            let saveImage = "/var/lib/libvirt/qemu/save/\(name).save"
            #expect(FileManager.default.fileExists(atPath: saveImage))
            await #expect(throws: HypervisorError.self) {
                try await driver.hypervisor.undefine(name, removingManagedSave: false)
            }
            try await driver.hypervisor.destroy(name)
            try await driver.hypervisor.undefine(name, removingManagedSave: true)
            #expect(try await driver.hypervisor.list().contains { $0.name == name } == false)
            #expect(!FileManager.default.fileExists(atPath: saveImage))
        }
    }

    @Test func pausedShadowHoldsLittleHostMemoryAndNoCPU() async throws {
        let name = RealVM.name("rss")
        try await withShadows([name]) { driver in
            _ = try await driver.coldStart(name)
            func cpuTime() async throws -> UInt64 {
                try #require(try await driver.hypervisor.stats().first { $0.name == name }?.cpuTimeNanoseconds)
            }
            _ = try driver.waitForHeartbeat(name) { $0.memoryKiB <= ShadowDriver.baseline.memoryKiB }
            let runningFrom = try await cpuTime()
            try await Task.sleep(for: .seconds(1))
            let running = try await cpuTime() - runningFrom

            try await driver.hypervisor.suspend(name)
            let rss = try #require(RealVMGuest.qemuResidentKiB(of: name))
            // QEMU itself plus the 256 MiB the balloon leaves the guest: well under the 1 GiB maximum.
            #expect(rss < 600 * 1024, "paused shadow RSS \(rss) KiB")
            let pausedFrom = try await cpuTime()
            try await Task.sleep(for: .seconds(1))
            let paused = try await cpuTime() - pausedFrom
            // libvirt's cpu.time is the whole QEMU process (its main loop still ticks), so not 0;
            // but a paused guest's vCPUs stop: under 5 % of a core, and a fraction of the running cost
            // (a running TCG guest with its 10 ms heartbeat takes tens of % of a core).
            #expect(paused < 50_000_000, "paused: \(paused) ns of CPU in 1 s")
            #expect(paused * 5 < running, "paused \(paused) ns vs running \(running) ns in 1 s")
        }
    }
}
}
