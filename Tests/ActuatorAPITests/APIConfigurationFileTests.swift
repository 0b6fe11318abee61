import ActuatorAPI
import APITestSupport
import Features
import Foundation
import Logging
import MetricStore
import Prometheus
import PSMConfiguration
import Testing

/// The `[api]` section as psm-actuator reads it (`APIConfiguration.load(path:)`), and the rules
/// for serving without a token.
@Suite struct APIConfigurationFileTests {
    static func parse(_ body: String) throws(ConfigurationError) -> APIConfiguration? {
        try APIConfiguration.parse("[actuator]\nregistry = \"models\"\n\n[api]\n" + body + "\n", fileName: "psm.toml")
    }

    /// The error `body` in `[api]` gets, or nil when it is accepted.
    static func refusal(_ body: String) -> ConfigurationError? {
        do { _ = try parse(body); return nil } catch { return error }
    }

    @Test func aMisspeltKeyIsRefusedNamingFileSectionAndKey() throws {
        let error = try #require(Self.refusal("metrics_require_tokens = true"))
        #expect(error.code == .unknownKey)
        #expect(error.file == "psm.toml" && error.location == "[api] metrics_require_tokens")
        #expect(error.description.hasPrefix("psm.toml: [api] metrics_require_tokens: unknown key in [api]"))
        #expect(error.description.contains("metrics_require_token,"), "the message lists the keys: \(error)")
        // The Decodable route (embedders decoding the table themselves) refuses it too.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(APIConfiguration.self, from: Data(#"{"metrics_require_tokens": true}"#.utf8))
        }
    }

    @Test func theSectionReadsEveryKey() throws {
        let c = try #require(try Self.parse("""
            listen = "127.0.0.1:9000"
            tokens = ["t-0123456789abcdef"]
            max_body_bytes = 2048
            write_rate = 1000000.0
            write_burst = 1000000
            max_samples_per_request = 5
            metrics_require_token = true
            allow_unauthenticated = true
            allow_unauthenticated_remote = true
            idle_timeout = 90
            header_timeout = 2.5
            body_timeout = 20
            max_connections = 100
            """))
        #expect(c.port == 9000 && c.tokens == ["t-0123456789abcdef"] && c.maxBodyBytes == 2048)
        #expect(c.writeRatePerSecond == 1_000_000 && c.writeBurst == 1_000_000 && c.maxSamplesPerRequest == 5)
        #expect(c.metricsRequireToken && c.allowUnauthenticated && c.allowUnauthenticatedRemote)
        #expect(c.idleTimeout == 90 && c.headerTimeout == 2.5 && c.bodyTimeout == 20 && c.maxConnections == 100)
        let defaults = try #require(try Self.parse(""))
        #expect(defaults == APIConfiguration())
        #expect(defaults.idleTimeout == 60 && defaults.headerTimeout == 10 && defaults.bodyTimeout == 30)
        #expect(defaults.maxConnections == 4096)
        #expect(try APIConfiguration.parse("[actuator]\nregistry = \"m\"\n", fileName: "psm.toml") == nil)
    }

    @Test func everyNumericKeyIsRangeCheckedWithTheKeyNamed() throws {
        let bad: [(String, [String])] = [
            ("max_body_bytes", ["10", "1023", "67108865", "1.5", "\"64k\""]),
            ("write_rate", ["nan", "inf", "-inf", "0", "-1", "0.0001", "1000001", "\"fast\""]),
            ("write_burst", ["0", "-5", "1000001", "2.5"]),
            ("max_samples_per_request", ["0", "1000001"]),
            ("idle_timeout", ["0", "-1", "nan", "inf", "86401", "0.01"]),
            ("header_timeout", ["0", "nan", "3601", "-2"]),
            ("body_timeout", ["0", "inf", "3601"]),
            ("max_connections", ["0", "-1", "1000001", "100.0", "true"]),
        ]
        for (key, values) in bad {
            for value in values {
                let error = Self.refusal("\(key) = \(value)")
                #expect(error?.location == "[api] \(key)", "\(key) = \(value): \(String(describing: error))")
                #expect(error.map { [.invalidValue, .wrongType].contains($0.code) } == true)
            }
        }
        #expect(Self.refusal("write_rate = 0.001") == nil && Self.refusal("max_body_bytes = 67108864") == nil)
        #expect(Self.refusal("header_timeout = 0.1") == nil && Self.refusal("max_connections = 1000000") == nil)
        let range = try #require(Self.refusal("write_rate = nan"))
        #expect(range.code == .invalidValue && range.description.contains("from 0.001 to 1000000, got nan"), "\(range)")
        #expect(Self.refusal("listen = \"nowhere\"")?.location == "[api] listen")
        #expect(Self.refusal("metrics_require_token = \"yes\"")?.code == .wrongType)
    }

    @Test func aFileThatCannotBeReadIsAnErrorNotAMissingSection() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("psm-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for path in [directory.appendingPathComponent("absent.toml").path, directory.path] {
            #expect(throws: ConfigurationError.self, "\(path)") { try APIConfiguration.load(path: path) }
        }
        let binary = directory.appendingPathComponent("binary.toml")
        try Data([0x5b, 0x61, 0x70, 0x69, 0x5d, 0x0a, 0xff, 0xfe]).write(to: binary)
        do {
            _ = try APIConfiguration.load(path: binary.path)
            Issue.record("a file that is not UTF-8 was read as no [api]")
        } catch {
            #expect(error.code == .unreadable && error.file == binary.path)
        }
        let broken = directory.appendingPathComponent("broken.toml")
        try Data("[api]\nlisten = \n".utf8).write(to: broken)
        #expect(throws: ConfigurationError.self) { try APIConfiguration.load(path: broken.path) }
        let good = directory.appendingPathComponent("good.toml")
        try Data("[api]\nwrite_rate = 5\n".utf8).write(to: good)
        #expect(try APIConfiguration.load(path: good.path)?.writeRatePerSecond == 5)
    }

    @Test func loopbackAddressesAreKnown() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"] {
            #expect(APIConfiguration.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "::", "", "192.168.1.5", "10.0.0.1", "example.com", "127.0.0.1.example.com", "128.0.0.1",
                     "::ffff:10.0.0.1", "1127.0.0.1"] {
            #expect(!APIConfiguration.isLoopback(host), "\(host)")
        }
    }

    @Test func servingWithoutATokenOffLoopbackNeedsASecondKey() throws {
        let control = try StandInControl(store: try MetricStore.inMemory(), groups: ["web"])
        func refusal(_ configure: (inout APIConfiguration) -> Void) -> String? {
            var configuration = APIConfiguration(port: 0, allowUnauthenticated: true)
            configure(&configuration)
            do {
                _ = try ActuatorAPI.makeApplication(control: control, configuration: configuration,
                                                    registry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal { $0.host = "127.0.0.1" } == nil)
        #expect(refusal { $0.host = "::1" } == nil)
        for host in ["0.0.0.0", "::", "192.168.1.5", "psm.example.com"] {
            #expect(refusal { $0.host = host }?.contains("allow_unauthenticated_remote") == true, "\(host)")
            #expect(refusal { $0.host = host; $0.allowUnauthenticatedRemote = true } == nil, "\(host)")
            #expect(refusal { $0.host = host; $0.tokens = [APIHarness.token] } == nil, "\(host)")
        }
        // The second key does not stand in for the first.
        #expect(refusal { $0.host = "0.0.0.0"; $0.allowUnauthenticated = false; $0.allowUnauthenticatedRemote = true }?
            .contains("no API token") == true)
        // --listen moves a file's loopback setup onto the network: checked after it.
        #expect(refusal { try? $0.setListen("0.0.0.0:0") }?.contains("allow_unauthenticated_remote") == true)
    }

    @Test func numbersSetInCodeAreRangeCheckedBeforeServing() throws {
        let control = try StandInControl(store: try MetricStore.inMemory(), groups: ["web"])
        func refusal(_ configure: (inout APIConfiguration) -> Void) -> String? {
            var configuration = APIConfiguration(port: 0, tokens: [APIHarness.token])
            configure(&configuration)
            do {
                _ = try ActuatorAPI.makeApplication(control: control, configuration: configuration,
                                                    registry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal { $0.writeRatePerSecond = .infinity }?.contains("api.write_rate") == true)
        #expect(refusal { $0.writeRatePerSecond = 2_000_000 }?.contains("api.write_rate") == true)
        #expect(refusal { $0.writeBurst = 2_000_000 }?.contains("api.write_burst") == true)
        #expect(refusal { $0.maxSamplesPerRequest = 0 }?.contains("api.max_samples_per_request") == true)
        #expect(refusal { $0.maxBodyBytes = 1 << 30 }?.contains("api.max_body_bytes") == true)
        #expect(refusal { $0.idleTimeout = .nan }?.contains("api.idle_timeout") == true)
        #expect(refusal { $0.headerTimeout = 0 }?.contains("api.header_timeout") == true)
        #expect(refusal { $0.bodyTimeout = -1 }?.contains("api.body_timeout") == true)
        #expect(refusal { $0.maxConnections = 0 }?.contains("api.max_connections") == true)
    }

    @Test func servingWithoutAuthenticationIsAWarningAtEveryStart() throws {
        let control = try StandInControl(store: try MetricStore.inMemory(), groups: ["web"])
        let captured = CapturedLog()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(log: captured) }
        for _ in 0..<2 {
            _ = try ActuatorAPI.makeApplication(control: control, configuration: APIConfiguration(port: 0, allowUnauthenticated: true),
                                                registry: PrometheusCollectorRegistry(), logger: logger)
        }
        #expect(captured.entries.filter { $0.level == .warning && $0.message.contains("WITHOUT authentication") }.count == 2)
        let withToken = CapturedLog()
        _ = try ActuatorAPI.makeApplication(control: control, configuration: APIConfiguration(port: 0, tokens: [APIHarness.token]),
                                            registry: PrometheusCollectorRegistry(),
                                            logger: Logger(label: "test") { _ in CapturingLogHandler(log: withToken) })
        #expect(!withToken.entries.contains { $0.message.contains("WITHOUT authentication") })
    }
}

final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(level: Logger.Level, message: String)] = []
    var entries: [(level: Logger.Level, message: String)] { lock.withLock { stored } }
    func append(_ level: Logger.Level, _ message: String) { lock.withLock { stored.append((level, message)) } }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        log.append(level, message.description)
    }
}
