import CLibvirt
import Foundation
import Hypervisor
import LibvirtHypervisor
import RealVMSupport
import RealVMTestSupport
import Testing

/// Opt-in: what psm's LibvirtHypervisor adds to libvirt's own calls on a *real* QEMU guest
/// (qemu:///system, after `scripts/realvm.sh up` and `guest`). One guest, parked; the calls of an
/// activation that can be repeated (resume + suspend, and setMemory while paused) are made
/// alternately through psm and straight through the C API on the same domain, so that both sides
/// see the same daemon, guest and noise. (setVCPUs cannot be repeated: vCPU hot-unplug is not
/// usable on this QEMU.) Lives here because only this target and LibvirtHypervisor may import
/// CLibvirt.
///
/// `PSM_REAL_VMS=1 PSM_BENCH=1 swift test -c release --filter RealVMCallOverheadBenchmark`
/// (PSM_BENCH_CALLS, default 40). Prints the per-call medians and their difference.
@Suite struct RealVMCallOverheadBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static var calls: Int { Int(environment["PSM_BENCH_CALLS"] ?? "") ?? 40 }

    static func ms(_ d: Duration) -> Double {
        (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    @Test(.enabled(if: environment["PSM_REAL_VMS"] == "1" && environment["PSM_BENCH"] == "1"))
    func psmAddsLittleToLibvirtCallsOnQEMU() async throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let guest = try #require(RealVMGuest(packageRoot: root.path), "run scripts/realvm.sh guest")
        let h = try LibvirtHypervisor(uri: RealVMGuest.uri)
        let driver = ShadowDriver(hypervisor: h, guest: guest)
        let name = RealVMGuest.namePrefix + "overhead-\(getpid())"
        let conn = try #require(virConnectOpen(RealVMGuest.uri))
        defer { virConnectClose(conn) }
        do {
            _ = try await driver.coldStart(name)
            try await driver.park(name)
            let domain = try #require(virDomainLookupByName(conn, name))
            defer { virDomainFree(domain) }
            let live = UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)
            let clock = ContinuousClock()
            var samples: [String: [Double]] = [:]
            for i in 0..<Self.calls {
                let kib: UInt64 = i % 2 == 0 ? 786_432 : 262_144
                // Alternate which side goes first.
                for side in (i % 2 == 0 ? ["raw", "psm"] : ["psm", "raw"]) {
                    var t = clock.now
                    if side == "raw" {
                        #expect(virDomainSetMemoryFlags(domain, UInt(kib), live) == 0)
                        samples["raw setMemory", default: []].append(Self.ms(clock.now - t))
                        t = clock.now
                        #expect(virDomainResume(domain) == 0)
                        samples["raw resume", default: []].append(Self.ms(clock.now - t))
                        t = clock.now
                        #expect(virDomainSuspend(domain) == 0)
                        samples["raw suspend", default: []].append(Self.ms(clock.now - t))
                    } else {
                        try await h.setMemory(name, toKiB: kib)
                        samples["psm setMemory", default: []].append(Self.ms(clock.now - t))
                        t = clock.now
                        try await h.resume(name)
                        samples["psm resume", default: []].append(Self.ms(clock.now - t))
                        t = clock.now
                        try await h.suspend(name)
                        samples["psm suspend", default: []].append(Self.ms(clock.now - t))
                    }
                }
            }
            for call in ["setMemory", "resume", "suspend"] {
                let raw = Self.median(samples["raw \(call)"] ?? [])
                let psm = Self.median(samples["psm \(call)"] ?? [])
                print("PSM_BENCH qemu \(call) calls=\(Self.calls) raw_ms=\(String(format: "%.3f", raw)) "
                      + "psm_ms=\(String(format: "%.3f", psm)) overhead_ms=\(String(format: "%.3f", psm - raw))")
            }
            #expect(try await h.info(name).state == .paused)
        } catch {
            await driver.remove(name)
            guest.removeLogs()
            throw error
        }
        await driver.remove(name)
        guest.removeLogs()
    }
}
