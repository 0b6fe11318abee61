import Foundation
import MetricStore
import Testing

@Suite struct ActivationSizeStorageTests {
    @Test func predictedAndAppliedSizesPersistAcrossReopening() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("store.sqlite")
        do {
            let store = try MetricStore(path: path)
            try store.upsertHost(testHost())
            _ = try store.reserve(shadow: testShadow("a", vcpus: 4, memoryMiB: 4_096), on: "h1", at: 1_000)
            _ = try store.reserve(shadow: testShadow("b", vcpus: 4, memoryMiB: 4_096), on: "h1", at: 1_000)
            _ = try store.beginActivation(id: "act-1", shadow: "a", at: 2_000)
            #expect(try store.activation(id: "act-1")?.applied == nil) // before the scale step
            #expect(try store.recordActivationSize(id: "act-1", predicted: ActivationSize(vcpus: 2, memoryMiB: 900),
                                                   applied: ActivationSize(vcpus: 2, memoryMiB: 1_024)))
            #expect(try store.recordActivationSize(id: "nope", predicted: nil, applied: ActivationSize(vcpus: 1, memoryMiB: 1)) == false)
            #expect(try store.finishActivation(id: "act-1", outcome: .succeeded, at: 2_010))
            _ = try store.beginActivation(id: "act-2", shadow: "b", at: 2_100)
            try store.recordActivationSize(id: "act-2", predicted: nil, applied: ActivationSize(vcpus: 4, memoryMiB: 4_096))
            #expect(try store.finishActivation(id: "act-2", outcome: .succeeded, at: 2_110))
        }
        let store = try MetricStore(path: path)
        let a = try #require(try store.activation(id: "act-1"))
        #expect(a.predicted == ActivationSize(vcpus: 2, memoryMiB: 900))
        #expect(a.applied == ActivationSize(vcpus: 2, memoryMiB: 1_024))
        #expect(a.outcome == .succeeded)
        let b = try #require(try store.activation(id: "act-2"))
        #expect(b.predicted == nil && b.applied == ActivationSize(vcpus: 4, memoryMiB: 4_096))
        #expect(try store.activations(group: "web", limit: 10).map(\.id) == ["act-2", "act-1"])
        #expect(try store.activations(group: "web", limit: 1).map(\.id) == ["act-2"])
        #expect(try store.appliedVCPUsOfActiveShadows() == ["a": 2, "b": 4])
    }
}
