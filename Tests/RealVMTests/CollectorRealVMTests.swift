@testable import Actuator
import Foundation
import Hypervisor
import MetricStore
import RealVMSupport
import RealVMTestSupport
@testable import Scaling
import Testing

/// The collector on a real QEMU guest: libvirt's bulk stats give real counters here (the test
/// driver reports only the state), so rates, group sums and the stored series are checked end to end.
extension RealVMSuite {
@Suite struct CollectorRealVMTests {
    @Test func aRunningMemberGivesCPUAndMemoryRatesAndStoredSeries() async throws {
        let name = RealVM.name("member")
        try await withShadows([name]) { driver in
            _ = try await driver.coldStart(name)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collector-real-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try MetricStore(path: directory.appendingPathComponent("store.sqlite").path)
            var group = GroupConfiguration(name: "web", template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 1_048_576), units: 10),
                                           running: 0, bounds: try GroupBounds(minimum: 0, maximum: 2), demandMetric: "cpu", unitsPerMetric: 5)
            group.members = [MemberPattern(name)]
            group.runningConfigured = false
            let collector = Collector(settings: Collector.Settings(), groups: [group], hypervisors: ["local": driver.hypervisor],
                                      store: store, modelInterval: 1)
            let now = Int64(Date().timeIntervalSince1970)
            _ = await collector.collect(now: now)
            try await Task.sleep(for: .seconds(2))
            let report = await collector.collect(now: now + 2)
            let vm = try #require(report.vms.first { $0.name == name })
            // A TCG guest printing a heartbeat every 10 ms keeps its vCPU busy part of the time.
            let utilisation = try #require(vm.cpuUtilisation, "gaps: \(vm.gaps)")
            #expect(utilisation > 0 && utilisation < 4)
            #expect((vm.memoryMiB ?? 0) > 100)
            let web = try #require(report.groups.first)
            #expect(web.members == [name])
            // The coldstarted guest runs at the baseline (1 vCPU of the shadow's 2): half a unit.
            #expect(web.memberUnits == 5)
            #expect(web.sums["cpu"] == vm.busyVCPUs)
            // The first collection's interval closed at the second: its memory gauge is stored.
            #expect(try store.series(key: "vm/\(name)/memory_mib") != nil)
            #expect(report.problems.isEmpty, "\(report.problems)")
        }
    }
}
}
