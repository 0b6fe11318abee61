import Foundation
import RealVMSupport
import RealVMTestSupport
import Testing

/// Issue 14's end-to-end check on real guests: a tiny guest serving HTTP behind a real HAProxy and
/// a parked shadow; an open-loop load raised in steps until the guest's CPU crosses the trigger;
/// the collector sees it through libvirt; the shadow is scaled to the predicted size, resumed,
/// added to HAProxy (its address from the host's neighbour table) and serves proxied requests;
/// then, under lighter load, scale-in drains it in HAProxy and retires it without a failed request.
/// `psm bench closed-loop` runs the same `ClosedLoopBenchmark` and prints its figures.
extension RealVMSuite {
@Suite struct ClosedLoopRealVMTests {
    @Test func loadOnARealGuestActivatesARoutedShadowAndADrainLosesNothing() async throws {
        let guest = try RealVM.guest()
        var settings = ClosedLoopBenchmark.Settings()
        settings.stepSeconds = 10
        let bench = ClosedLoopBenchmark(guest: guest, hypervisor: try RealVM.hypervisor(), settings: settings)
        let r = try await bench.run { print("closed-loop: \($0)") }
        #expect(r.activation_outcome == "succeeded", "\(r.notes)")
        #expect(r.rise_detected_s != nil, "the collector never saw the guest cross \(r.threshold)")
        let firstAnswer = try #require(r.trigger_to_first_request_ms, "the shadow never answered through HAProxy: \(r.notes)")
        #expect(firstAnswer > 0)
        #expect(r.shadow_answers > 0)
        #expect(r.failed_requests == 0, "\(r.notes)")
        // Applied within the shadow's baseline (1 vCPU, 256 MiB) and its full size (2 vCPUs, 512 MiB).
        let vcpus = try #require(r.applied_vcpus), memory = try #require(r.applied_memory_mib)
        #expect((1...2).contains(vcpus) && (256...512).contains(memory))
        #expect(r.predicted_vcpus != nil)
        #expect(r.drain_failed_requests == 0, "\(r.notes)")
    }
}
}
