import APITestSupport
import Actuator
import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import MetricStore
import Testing

/// `POST /v1/groups/{group}/activate` with and without a capacity (the stand-in's shadows: full
/// 4 vCPUs / 4096 MiB / 40 units, baseline 1 vCPU / 1024 MiB).
@Suite struct APIGroupActivationTests {
    @Test func capacityIsHonouredWithinTheShadowsSize() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            var headers = APIHarness.auth
            headers[.init("Idempotency-Key")!] = "grow-1"
            // 15 units of a 40-unit, 4-vCPU shadow: ⌈1.5⌉ = 2 vCPUs; no memory figure → full memory.
            let first = try await client.call(.post, "/v1/groups/web/activate", json: #"{"capacity": {"units": 15}}"#, headers: headers)
            #expect(first.status == .ok, "\(first.text)")
            let view = try first.decode(ActivationView.self)
            #expect(view.group == "web" && view.outcome == "succeeded" && view.activationID == "grow-1")
            #expect(view.predicted == ActivationView.SizeView(vcpus: 2, memoryMiB: 4096))
            #expect(view.applied == ActivationView.SizeView(vcpus: 2, memoryMiB: 4096))
            // The same key again: the same activation.
            let again = try await client.call(.post, "/v1/groups/web/activate", json: #"{"capacity": {"units": 15}}"#, headers: headers)
            #expect(try again.decode(ActivationView.self) == view)
            // vCPUs and memory named directly; memory below the baseline is raised to it.
            let second = try await client.call(.post, "/v1/groups/web/activate", json: #"{"capacity": {"vcpus": 3, "memoryMiB": 512}}"#)
            let other = try second.decode(ActivationView.self)
            #expect(other.shadowID != view.shadowID)
            #expect(other.predicted == ActivationView.SizeView(vcpus: 3, memoryMiB: 512))
            #expect(other.applied == ActivationView.SizeView(vcpus: 3, memoryMiB: 1024))
            // No ready shadow left: 409.
            expectError(try await client.call(.post, "/v1/groups/web/activate"), .conflict, "conflict", mentioning: "no ready shadow")
        }
    }

    @Test func noBodyIsTheFullSize() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let response = try await client.call(.post, "/v1/groups/batch/activate")
            #expect(response.status == .ok, "\(response.text)")
            let view = try response.decode(ActivationView.self)
            #expect(view.predicted == nil && view.applied == ActivationView.SizeView(vcpus: 4, memoryMiB: 4096))
            let empty = try await client.call(.post, "/v1/groups/batch/activate", json: "{}")
            #expect(try empty.decode(ActivationView.self).applied == ActivationView.SizeView(vcpus: 4, memoryMiB: 4096))
        }
    }

    @Test func badCapacitiesAreRefused() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let cases: [(String, HTTPResponse.Status, String, String)] = [
                (#"{"capacity": {"units": 2, "vcpus": 1}}"#, .unprocessableContent, "invalid", "not both"),
                (#"{"capacity": {}}"#, .unprocessableContent, "invalid", "must give"),
                (#"{"capacity": {"units": 0}}"#, .unprocessableContent, "invalid", "capacity.units"),
                (#"{"capacity": {"vcpus": 0}}"#, .unprocessableContent, "invalid", "capacity.vcpus"),
                (#"{"capacity": {"memoryMiB": 1}}"#, .unprocessableContent, "invalid", "capacity.memoryMiB"),
                (#"{"capacity": {"cpus": 2}}"#, .badRequest, "bad_request", "capacity.cpus"),
                (#"{"capacity": null}"#, .badRequest, "bad_request", "null"),
                (#"{"capacity": 12}"#, .badRequest, "bad_request", "capacity object"),
                (#"{"size": 12}"#, .badRequest, "bad_request", "unknown field"),
            ]
            for (body, status, code, text) in cases {
                expectError(try await client.call(.post, "/v1/groups/web/activate", json: body), status, code, mentioning: text)
            }
            expectError(try await client.call(.post, "/v1/groups/nope/activate"), .notFound, "unknown_group")
            // Nothing was activated by the refused requests.
            let shadows = try await client.call(.get, "/v1/shadows?group=web").decode([String: [ShadowView]].self)["shadows"] ?? []
            #expect(shadows.allSatisfy { $0.state == "ready" })
        }
    }
}
