import APITestSupport
import Actuator
import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import MetricStore
import Testing
import TimeSeries

@Suite struct APIShadowAndMetricsTests {
    @Test func shadowsAndHostsListTheInventory() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let shadows = try await client.call(.get, "/v1/shadows").decode([String: [ShadowView]].self)["shadows"] ?? []
            #expect(Set(shadows.map(\.id)) == ["web-s1", "web-s2", "batch-s1", "batch-s2"])
            #expect(shadows.allSatisfy { $0.state == "ready" && $0.host == "h1" })
            let web = try await client.call(.get, "/v1/shadows?group=web").decode([String: [ShadowView]].self)["shadows"]
            #expect(web?.map(\.id).sorted() == ["web-s1", "web-s2"])
            expectError(try await client.call(.get, "/v1/shadows?state=sleeping"), .badRequest, "bad_request",
                        mentioning: "'state'")

            let hosts = try await client.call(.get, "/v1/hosts").decode([String: [HostView]].self)["hosts"] ?? []
            let h1 = try #require(hosts.first)
            // Four shadows of 4 vCPUs / 4096 MiB / 40 units each are reserved.
            #expect(h1.reserved == CapacityAmount(vcpus: 16, memoryMiB: 16384, units: 160))
            #expect(h1.free == h1.capacity - h1.load - h1.reserved)
        }
    }

    @Test func activationWithAnIdempotencyKeyHappensOnce() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            var headers = APIHarness.auth
            headers[.init("Idempotency-Key")!] = "retry-me-1"
            let first = try await client.call(.post, "/v1/shadows/web-s1/activate", headers: headers)
            #expect(first.status == .ok, "\(first.text)")
            let view = try first.decode(ActivationView.self)
            #expect(view.activationID == "retry-me-1" && view.shadowID == "web-s1" && view.outcome == "succeeded")
            // The same key again: the same activation, nothing new.
            let again = try await client.call(.post, "/v1/shadows/web-s1/activate", headers: headers)
            #expect(try again.decode(ActivationView.self) == view)
            // Another key finds the shadow active: 409.
            expectError(try await client.call(.post, "/v1/shadows/web-s1/activate"), .conflict, "conflict",
                        mentioning: "active")
            expectError(try await client.call(.post, "/v1/shadows/no-such/activate"), .notFound, "not_found")
            headers[.init("Idempotency-Key")!] = "has space"
            expectError(try await client.call(.post, "/v1/shadows/web-s2/activate", headers: headers), .badRequest,
                        "bad_request", mentioning: "Idempotency-Key")
            let states = try await client.call(.get, "/v1/shadows?group=web").decode([String: [ShadowView]].self)["shadows"]
            #expect(states?.first { $0.id == "web-s1" }?.state == "active")
            #expect(states?.first { $0.id == "web-s2" }?.state == "ready")
        }
    }

    @Test func pushedMetricsAreStoredFromAnObjectOrAnArray() async throws {
        let harness = try APIHarness()
        try await harness.run { (client: any TestClientProtocol) async throws in
            let one = try await client.call(.post, "/v1/metrics", json: #"{"group": "web", "metric": "tps", "value": 412.5, "time": 1000}"#)
            #expect(one.status == .accepted)
            #expect(try one.object()["accepted"] as? Int == 1)
            let many = try await client.call(.post, "/v1/metrics", json: """
                [{"group": "web", "metric": "tps", "value": 400, "time": 1001},
                 {"group": "batch", "metric": "queue_depth", "value": 7, "time": 1000},
                 {"group": "web", "metric": "tps", "value": 420, "time": 1002}]
                """)
            #expect(try many.object()["accepted"] as? Int == 3)
            expectError(try await client.call(.post, "/v1/metrics", json: "[]"), .unprocessableContent, "invalid", mentioning: "no samples")
            expectError(try await client.call(.post, "/v1/metrics", json: #"[{"group": "web", "metric": "tps", "value": -1}]"#),
                        .unprocessableContent, "invalid", mentioning: "'[0].value' must be 0 or more")
            expectError(try await client.call(.post, "/v1/metrics", json: #"[{"group": "web", "metric": "tps"}]"#),
                        .badRequest, "bad_request", mentioning: "missing field '[0].value'")
            expectError(try await client.call(.post, "/v1/metrics", json: #"[{"group": "web", "metric": "t p s", "value": 1}]"#),
                        .unprocessableContent, "invalid", mentioning: "'[0].metric'")
            expectError(try await client.call(.post, "/v1/metrics", json: #"[1, 2]"#), .badRequest, "bad_request",
                        mentioning: "[0] must be a sample object")
            expectError(try await client.call(.post, "/v1/metrics", json: #"{"group": "web", "metric": "tps", "value": 1, "time": -5}"#),
                        .unprocessableContent, "invalid", mentioning: "'time'")
            expectError(try await client.call(.post, "/v1/metrics", json: #"{"group": "web", "metric": "tps", "value": 1, "time": 9223372036854775807}"#),
                        .unprocessableContent, "invalid", mentioning: "below 1000000000000")
        }
        let tps = try #require(try harness.control.store.series(key: "web/tps"))
        #expect(tps.grid.start == 1000 && tps.values == [412.5, 400, 420])
        #expect(try harness.control.store.series(key: "batch/queue_depth")?.values == [7])
    }

    @Test func tooManySamplesInOneRequestAreRefused() async throws {
        try await APIHarness(configure: { $0.maxSamplesPerRequest = 2 }).run { (client: any TestClientProtocol) async throws in
            let sample = #"{"group": "web", "metric": "tps", "value": 1}"#
            expectError(try await client.call(.post, "/v1/metrics", json: "[\(sample), \(sample), \(sample)]"),
                        .unprocessableContent, "invalid", mentioning: "at most 2")
        }
    }

    @Test func emittedActuatorMetricsAppearInThePrometheusText() async throws {
        let harness = try APIHarness()
        let metrics = ActuatorMetrics(factory: ActuatorAPI.makeMetricsFactory(registry: harness.registry))
        metrics.recordForecast(group: "web", quantiles: ["0.5": 120, "0.95": 180.5])
        metrics.recordShadows(group: "web", counts: [.ready: 3, .active: 1])
        metrics.recordActivation(group: "web", outcome: "succeeded", latency: .milliseconds(3))
        metrics.recordActivation(group: "web", outcome: "succeeded", latency: .milliseconds(700))
        metrics.recordActivation(group: "web", outcome: "rolledBack", latency: .seconds(20))
        metrics.recordCoverage(group: "web", coverage: 0.93)
        metrics.addReserveCost(group: "web", cost: 1.25)
        metrics.addReserveCost(group: "web", cost: 1.25)
        metrics.addReserveCost(group: "web", cost: -4)  // ignored: a counter never falls
        let text = try await harness.run { (client: any TestClientProtocol) async throws in
            let response = try await client.call(.get, "/metrics", headers: [:])
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            return response.text
        }
        let lines = Set(text.split(separator: "\n").map(String.init))
        let expected = [
            #"psm_forecast_demand_units{group="web",quantile="0.5"} 120.0"#,
            #"psm_forecast_demand_units{group="web",quantile="0.95"} 180.5"#,
            #"psm_shadows{group="web",state="ready"} 3.0"#,
            #"psm_shadows{group="web",state="active"} 1.0"#,
            #"psm_shadows{group="web",state="planned"} 0.0"#,
            #"psm_activations_total{group="web",outcome="succeeded"} 2"#,
            #"psm_activations_total{group="web",outcome="rolledBack"} 1"#,
            #"psm_live_coverage_ratio{group="web"} 0.93"#,
            #"psm_reserve_cost_total{group="web"} 2.5"#,
            // Cumulative buckets: 3 ms falls in le=0.005, 700 ms in le=1.0, 20 s only in +Inf.
            #"psm_activation_latency_seconds_bucket{group="web",le="0.001"} 0"#,
            #"psm_activation_latency_seconds_bucket{group="web",le="0.0025"} 0"#,
            #"psm_activation_latency_seconds_bucket{group="web",le="0.005"} 1"#,
            #"psm_activation_latency_seconds_bucket{group="web",le="0.5"} 1"#,
            #"psm_activation_latency_seconds_bucket{group="web",le="1.0"} 2"#,
            #"psm_activation_latency_seconds_bucket{group="web",le="10.0"} 2"#,
            #"psm_activation_latency_seconds_bucket{group="web",le="+Inf"} 3"#,
            #"psm_activation_latency_seconds_count{group="web"} 3"#,
        ]
        for line in expected {
            #expect(lines.contains(line), "missing '\(line)' in:\n\(text)")
        }
        #expect(text.contains("# TYPE psm_activation_latency_seconds histogram"))
        #expect(text.contains("# TYPE psm_activations_total counter"))
    }
}
