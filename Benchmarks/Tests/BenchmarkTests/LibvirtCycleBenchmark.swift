import CLibvirt
import Foundation
import Hypervisor
import LibvirtHypervisor
import Testing

/// Opt-in timing of psm's libvirt wrapper against the same calls made straight to the C API, in
/// the same process and run (it lives here because only this target and LibvirtHypervisor may
/// import CLibvirt). Never part of CI; it asserts correctness only.
///
/// `swift build -c release --build-tests -Xswiftc -enable-testing` (other test targets use
/// `@testable`), then `PSM_BENCH=1 swift test -c release --skip-build -Xswiftc -enable-testing
/// --filter LibvirtCycleBenchmark` (PSM_BENCH_CYCLES, default
/// 1000; PSM_BENCH_RUNS, default 5). Prints one line per run and side, then the medians.
@Suite struct LibvirtCycleBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static var cycles: Int { Int(ProcessInfo.processInfo.environment["PSM_BENCH_CYCLES"] ?? "") ?? 1000 }
    static var runs: Int { Int(ProcessInfo.processInfo.environment["PSM_BENCH_RUNS"] ?? "") ?? 5 }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func spec(_ name: String) -> DomainSpec {
        DomainSpec(name: name, maximum: ResourceSize(vcpus: 4, memoryKiB: 1_048_576),
                   current: ResourceSize(vcpus: 1, memoryKiB: 262_144))
    }

    /// define + start + suspend + resume per cycle, through LibvirtHypervisor.
    static func psmCycles(_ h: LibvirtHypervisor, prefix: String) async throws -> Double {
        let started = ContinuousClock.now
        for i in 0..<cycles {
            let name = "\(prefix)-\(i)"
            _ = try await h.define(spec(name))
            try await h.start(name)
            try await h.suspend(name)
            try await h.resume(name)
        }
        return seconds(ContinuousClock.now - started)
    }

    /// The same cycle straight on the C API, with the XML psm would send, on its own connection.
    static func rawCycles(_ conn: OpaquePointer, prefix: String) throws -> Double {
        let xmls = (0..<cycles).map { i in
            "<domain type='test'><name>\(prefix)-\(i)</name><memory unit='KiB'>1048576</memory>"
                + "<currentMemory unit='KiB'>262144</currentMemory><vcpu current='1'>4</vcpu>"
                + "<os><type>hvm</type></os><devices><memballoon model='virtio'/></devices></domain>"
        }
        let started = ContinuousClock.now
        for xml in xmls {
            let domain = try #require(virDomainDefineXML(conn, xml))
            #expect(virDomainCreate(domain) == 0)
            #expect(virDomainSuspend(domain) == 0)
            #expect(virDomainResume(domain) == 0)
            virDomainFree(domain)
        }
        return seconds(ContinuousClock.now - started)
    }

    /// suspend + resume of one running domain, `cycles` times: the per-call cost alone.
    static func psmToggles(_ h: LibvirtHypervisor, name: String) async throws -> Double {
        let started = ContinuousClock.now
        for _ in 0..<cycles {
            try await h.suspend(name)
            try await h.resume(name)
        }
        return seconds(ContinuousClock.now - started)
    }

    static func rawToggles(_ conn: OpaquePointer, name: String) throws -> Double {
        let domain = try #require(virDomainLookupByName(conn, name))
        defer { virDomainFree(domain) }
        let started = ContinuousClock.now
        for _ in 0..<cycles {
            #expect(virDomainSuspend(domain) == 0)
            #expect(virDomainResume(domain) == 0)
        }
        return seconds(ContinuousClock.now - started)
    }

    static func cleanUp(_ h: LibvirtHypervisor, prefix: String) async throws {
        for i in 0..<cycles {
            try await h.destroy("\(prefix)-\(i)")
            try await h.undefine("\(prefix)-\(i)", removingManagedSave: true)
        }
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    @Test(.enabled(if: environment["PSM_BENCH"] == "1"))
    func defineStartSuspendResume() async throws {
        // A private node per connection (test:///default would be shared with other tests).
        let node = FileManager.default.temporaryDirectory.appendingPathComponent("psm-bench-\(UUID()).xml").path
        try "<node/>".write(toFile: node, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: node) }
        let uri = "test://" + node
        let h = try LibvirtHypervisor(uri: uri)
        let conn = try #require(virConnectOpen(uri))
        defer { virConnectClose(conn) }

        var psm: [Double] = [], raw: [Double] = [], psmToggle: [Double] = [], rawToggle: [Double] = []
        _ = try await h.define(Self.spec("toggle"))
        try await h.start("toggle")
        let toggleXML = "<domain type='test'><name>toggle</name><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
        let rawToggle0 = try #require(virDomainDefineXML(conn, toggleXML))
        #expect(virDomainCreate(rawToggle0) == 0)
        virDomainFree(rawToggle0)
        for run in 0..<Self.runs {
            // Alternate the order so that warm-up and drift do not favour one side.
            if run % 2 == 0 {
                raw.append(try Self.rawCycles(conn, prefix: "raw\(run)"))
                psm.append(try await Self.psmCycles(h, prefix: "psm\(run)"))
            } else {
                psm.append(try await Self.psmCycles(h, prefix: "psm\(run)"))
                raw.append(try Self.rawCycles(conn, prefix: "raw\(run)"))
            }
            rawToggle.append(try Self.rawToggles(conn, name: "toggle"))
            psmToggle.append(try await Self.psmToggles(h, name: "toggle"))
            print("PSM_BENCH libvirt run=\(run) cycles=\(Self.cycles) raw_s=\(String(format: "%.3f", raw[run])) "
                  + "psm_s=\(String(format: "%.3f", psm[run])) raw_toggle_s=\(String(format: "%.3f", rawToggle[run])) "
                  + "psm_toggle_s=\(String(format: "%.3f", psmToggle[run]))")
            // Separate connections see separate copies of the node: each side cleans its own.
            try await Self.cleanUp(h, prefix: "psm\(run)")
            for i in 0..<Self.cycles {
                if let d = virDomainLookupByName(conn, "raw\(run)-\(i)") {
                    virDomainDestroy(d)
                    virDomainUndefine(d)
                    virDomainFree(d)
                }
            }
        }
        let (p, r, pt, rt) = (Self.median(psm), Self.median(raw), Self.median(psmToggle), Self.median(rawToggle))
        let calls = Double(Self.cycles)
        print("PSM_BENCH libvirt medians: cycle raw=\(String(format: "%.3f", r)) s psm=\(String(format: "%.3f", p)) s "
              + "ratio=\(String(format: "%.2f", p / r)) overhead_per_cycle_us=\(String(format: "%.1f", (p - r) / calls * 1e6)) | "
              + "suspend+resume raw=\(String(format: "%.3f", rt)) s psm=\(String(format: "%.3f", pt)) s "
              + "overhead_per_call_us=\(String(format: "%.1f", (pt - rt) / (2 * calls) * 1e6))")
        #expect(try await h.list().map(\.name) == ["toggle"])
    }
}
