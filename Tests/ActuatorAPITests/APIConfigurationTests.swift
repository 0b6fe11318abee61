import ActuatorAPI
import APITestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MetricStore
import Prometheus
import PSMConfiguration
import Testing

@Suite struct APIConfigurationTests {
    @Test func listenAddressesParse() throws {
        #expect(try APIConfiguration.parseListen("127.0.0.1:8080") == ("127.0.0.1", 8080))
        #expect(try APIConfiguration.parseListen("localhost:0") == ("localhost", 0))
        #expect(try APIConfiguration.parseListen("[::1]:9000") == ("::1", 9000))
        #expect(try APIConfiguration.parseListen(":9000") == (nil, 9000))
        for bad in ["127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", "[::1]9000", "[::1", "a b:80", ""] {
            #expect(throws: APIConfigurationError.self, "\(bad)") { try APIConfiguration.parseListen(bad) }
        }
        var configuration = APIConfiguration()
        try configuration.setListen(":9100")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 9100)
    }

    @Test func tokensComeFromTheEnvironmentToo() {
        var configuration = APIConfiguration(tokens: ["config-token-0123456789"])
        configuration.addTokens(fromEnvironment: ["PSM_API_TOKEN": " env-token-a-0123456789 , env-token-b-0123456789,,config-token-0123456789"])
        #expect(configuration.tokens == ["config-token-0123456789", "env-token-a-0123456789", "env-token-b-0123456789"])
        configuration.addTokens(fromEnvironment: [:])
        #expect(configuration.tokens.count == 3)
    }

    @Test func unusableConfigurationsAreRefusedBeforeServing() throws {
        let control = try StandInControl(store: try MetricStore.inMemory(), groups: ["web"])
        let registry = PrometheusCollectorRegistry()
        func refusal(_ configure: (inout APIConfiguration) -> Void) -> String? {
            var configuration = APIConfiguration(tokens: ["a-valid-token-0123456789"])
            configure(&configuration)
            do {
                _ = try ActuatorAPI.makeApplication(control: control, configuration: configuration, registry: registry,
                                                    logger: Logger(label: "test"))
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal { _ in } == nil)
        #expect(refusal { $0.tokens = [] }?.contains("PSM_API_TOKEN") == true)
        #expect(refusal { $0.tokens = []; $0.allowUnauthenticated = true } == nil)
        #expect(refusal { $0.tokens = ["short"] }?.contains("at least 16") == true)
        #expect(refusal { $0.maxBodyBytes = 10 }?.contains("max_body_bytes") == true)
        #expect(refusal { $0.writeRatePerSecond = .nan }?.contains("write_rate") == true)
        #expect(refusal { $0.writeBurst = 0 }?.contains("write_burst") == true)
    }

    @Test func theAPITableDecodesWithDefaultsForMissingKeys() throws {
        let json = #"{"listen": "0.0.0.0:9090", "tokens": ["t-0123456789abcdef"], "write_rate": 5, "metrics_require_token": true}"#
        let configuration = try JSONDecoder().decode(APIConfiguration.self, from: Data(json.utf8))
        #expect(configuration.host == "0.0.0.0" && configuration.port == 9090)
        #expect(configuration.tokens == ["t-0123456789abcdef"])
        #expect(configuration.writeRatePerSecond == 5 && configuration.writeBurst == 100)
        #expect(configuration.metricsRequireToken && configuration.maxBodyBytes == 65536)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(APIConfiguration.self, from: Data(#"{"listen": "nowhere"}"#.utf8))
        }
    }

    @Test func unauthenticatedModeServesWithoutATokenButStillLimitsWrites() async throws {
        try await APIHarness(configure: { $0.tokens = []; $0.allowUnauthenticated = true; $0.writeBurst = 1; $0.writeRatePerSecond = 0.001 })
            .run { (client: any TestClientProtocol) async throws in
                #expect(try await client.call(.get, "/v1/hosts", headers: [:]).status == .ok)
                let sample = #"{"group": "web", "metric": "tps", "value": 1}"#
                #expect(try await client.call(.post, "/v1/metrics", json: sample, headers: [:]).status == .accepted)
                #expect(try await client.call(.post, "/v1/metrics", json: sample, headers: [:]).status == .tooManyRequests)
            }
    }
}

@Suite struct APILiveServerTests {
    /// The application `makeApplication` builds, over a real loopback socket (the other suites
    /// drive the router without sockets).
    @Test func theApplicationServesOverTCP() async throws {
        let control = try StandInControl(store: try MetricStore.inMemory(), groups: ["web"], now: { APIHarness.now })
        let configuration = APIConfiguration(host: "127.0.0.1", port: 0, tokens: [APIHarness.token])
        let app = try ActuatorAPI.makeApplication(control: control, configuration: configuration,
                                                  registry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        try await app.test(.live) { (client: any TestClientProtocol) async throws in
            #expect(client.port != nil && client.port != 0)
            #expect(try await client.call(.get, "/healthz", headers: [:]).status == .ok)
            expectError(try await client.call(.get, "/v1/hosts", headers: [:]), .unauthorized, "unauthorized")
            let posted = try await client.call(.post, "/v1/notices", json: """
                {"group": "web", "start": 1767262200, "end": 1767262800, "multiplier": 2}
                """)
            #expect(posted.status == .created, "\(posted.text)")
            let oversized = try await client.call(.post, "/v1/metrics", json: "[" + String(repeating: " ", count: 70_000) + "]")
            expectError(oversized, .contentTooLarge, "payload_too_large")
        }
    }
}

import TOMLKit

@Suite struct APIConfigurationTOMLTests {
    /// psm-actuator reads `[api]` from psm.toml with TOMLKit, which keeps integers and floats apart.
    @Test func anIntegerWriteRateInTOMLReadsAsThatRate() throws {
        let table = try TOMLTable(string: "write_rate = 100\nwrite_burst = 200\nlisten = \"127.0.0.1:9000\"\n")
        let c = try TOMLDecoder().decode(APIConfiguration.self, from: table)
        #expect(c.writeRatePerSecond == 100 && c.writeBurst == 200 && c.port == 9000)
        let float = try TOMLDecoder().decode(APIConfiguration.self, from: try TOMLTable(string: "write_rate = 2.5\n"))
        #expect(float.writeRatePerSecond == 2.5)
    }
}
