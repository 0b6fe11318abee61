import MetricStore
import Testing
@testable import Actuator

@Suite("Activation sizing")
struct ActivationSizingTests {
    let full = ActivationSize(vcpus: 8, memoryMiB: 8_192)
    let baseline = ActivationSize(vcpus: 2, memoryMiB: 1_024)

    @Test("the peak is the largest of live demand and the forecast quantile within the lead time")
    func peak() throws {
        let f = try forecast(levels: [0.1, 0.5, 0.9], rows: [[50, 60, 70], [80, 90, 100], [140, 150, 160]])
        #expect(ActivationSizing.demandPeak(live: 70, forecast: f, level: 0.5, leadTime: 120, step: 60) == 90)
        #expect(ActivationSizing.demandPeak(live: 70, forecast: f, level: 0.9, leadTime: 180, step: 60) == 160)
        #expect(ActivationSizing.demandPeak(live: 95, forecast: f, level: 0.5, leadTime: 60, step: 60) == 95)
        // A lead time of 0 still reads step 1; one beyond the horizon stops at it.
        #expect(ActivationSizing.demandPeak(live: .nan, forecast: f, level: 0.5, leadTime: 0, step: 60) == 60)
        #expect(ActivationSizing.demandPeak(live: .nan, forecast: f, level: 0.5, leadTime: 10_000, step: 60) == 150)
        #expect(ActivationSizing.demandPeak(live: 42, forecast: nil, level: 0.5, leadTime: 60, step: 60) == 42)
        #expect(ActivationSizing.demandPeak(live: .nan, forecast: nil, level: nil, leadTime: 60, step: 60) == nil)
    }

    @Test("one VM's share brings the peak to the threshold of the new capacity, split over the VMs activated")
    func share() {
        // peak 90 at θ 0.75 needs 120 units; 100 run: 20 more, 10 each for 2 VMs.
        #expect(ActivationSizing.share(peak: 90, running: 100, threshold: 0.75, count: 2) == 10)
        #expect(ActivationSizing.share(peak: 50, running: 100, threshold: 1, count: 1) == 0)
        #expect(ActivationSizing.share(peak: .nan, running: 100, threshold: 1, count: 1) == nil)
        #expect(ActivationSizing.share(peak: 90, running: 100, threshold: 0, count: 1) == nil)
        #expect(ActivationSizing.share(peak: 90, running: 100, threshold: 1, count: 0) == nil)
    }

    @Test("units become vCPUs by the shadow's unit ↔ full vCPUs, rounded up; memory by MiB per unit, else full")
    func predicted() {
        // A shadow of 40 units at 8 vCPUs: 5 units per vCPU. 12 units → 2.4 → 3 vCPUs.
        let p = ActivationSizing.predicted(ActivationTarget(units: 12, memoryMiBPerUnit: 100), full: full, units: 40)
        #expect(p == ActivationSize(vcpus: 3, memoryMiB: 1_200))
        // Exactly 2 vCPUs' worth (up to rounding) is 2, not 3.
        #expect(ActivationSizing.predicted(ActivationTarget(units: 10.000000000001), full: full, units: 40)?.vcpus == 2)
        // No memory figure: the full memory.
        #expect(ActivationSizing.predicted(ActivationTarget(units: 12), full: full, units: 40)?.memoryMiB == 8_192)
        // vCPUs and memory named directly.
        #expect(ActivationSizing.predicted(ActivationTarget(vcpus: 5, memoryMiB: 3_000.5), full: full, units: 40)
                == ActivationSize(vcpus: 5, memoryMiB: 3_001))
        // A shadow with no units (adopted with an unknown size) cannot convert units: full size.
        #expect(ActivationSizing.predicted(ActivationTarget(units: 12), full: full, units: 0) == nil)
        #expect(ActivationSizing.predicted(ActivationTarget(), full: full, units: 40) == nil)
        // Memory alone: the full vCPUs.
        #expect(ActivationSizing.predicted(ActivationTarget(memoryMiB: 2_048), full: full, units: 40)
                == ActivationSize(vcpus: 8, memoryMiB: 2_048))
    }

    @Test("the applied size lies within the baseline and the maximum set at define")
    func applied() {
        #expect(ActivationSizing.applied(ActivationSize(vcpus: 3, memoryMiB: 2_000), baseline: baseline, full: full)
                == ActivationSize(vcpus: 3, memoryMiB: 2_000))
        #expect(ActivationSizing.applied(ActivationSize(vcpus: 30, memoryMiB: 20_000), baseline: baseline, full: full) == full)
        #expect(ActivationSizing.applied(ActivationSize(vcpus: 0, memoryMiB: 10), baseline: baseline, full: full) == baseline)
        #expect(ActivationSizing.applied(nil, baseline: baseline, full: full) == full)
        // At least one vCPU even from a baseline of none.
        #expect(ActivationSizing.applied(ActivationSize(vcpus: 0, memoryMiB: 10),
                                         baseline: ActivationSize(vcpus: 0, memoryMiB: 0), full: full).vcpus == 1)
    }

    @Test("explain says what was predicted and what was applied")
    func explanation() {
        var a = ActivationRecord(id: "auto-1", shadowID: "web-s1", group: "web", requestedAt: 100, outcome: .succeeded,
                                 predicted: ActivationSize(vcpus: 1, memoryMiB: 100), applied: ActivationSize(vcpus: 2, memoryMiB: 256))
        #expect(ActivationSizing.explanation(a)
                == "activation auto-1 of web-s1 at 100: succeeded; predicted 1 vCPU, 100 MiB → applied 2 vCPU, 256 MiB (within baseline…full)")
        a.predicted = nil
        #expect(ActivationSizing.explanation(a).hasSuffix("full size 2 vCPU, 256 MiB (no prediction)"))
    }
}
