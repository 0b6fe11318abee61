import APITestSupport
import Actuator
import ActuatorAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import MetricStore
import Prometheus
import Testing

/// A frozen clock for the write-rate buckets, moved by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double = 0
    var seconds: Double { lock.withLock { value } }
    func advance(_ by: Double) { lock.withLock { value += by } }
}

/// The API over a fresh stand-in control (in-memory store), driven through Hummingbird's router
/// test client: real routing, middleware and handlers, no sockets.
struct APIHarness {
    static let token = "test-token-0123456789abcdef"
    static let now: Int64 = 1_767_261_600  // 2026-01-01T10:00:00Z, a multiple of the 300 s step

    let control: StandInControl
    let configuration: APIConfiguration
    let registry: PrometheusCollectorRegistry
    let limiter: WriteRateLimiter

    init(groups: [String] = ["web", "batch"], configure: (inout APIConfiguration) -> Void = { _ in },
         clock: ManualClock? = nil) throws {
        control = try StandInControl(store: try MetricStore.inMemory(), groups: groups, now: { Self.now })
        var configuration = APIConfiguration(tokens: [Self.token], writeRatePerSecond: 1000, writeBurst: 1000)
        configure(&configuration)
        self.configuration = configuration
        registry = PrometheusCollectorRegistry()
        if let clock {
            limiter = WriteRateLimiter(rate: configuration.writeRatePerSecond, burst: configuration.writeBurst,
                                       now: { clock.seconds })
        } else {
            limiter = WriteRateLimiter(rate: configuration.writeRatePerSecond, burst: configuration.writeBurst)
        }
    }

    var router: Router<APIRequestContext> {
        ActuatorAPI.makeRouter(control: control, configuration: configuration, registry: registry, rateLimiter: limiter)
    }

    func run<T: Sendable>(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await test(client) }
    }

    static var auth: HTTPFields { [.authorization: "Bearer \(token)"] }
    static var jsonAuth: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
}

extension TestClientProtocol {
    /// A request with the test token (and a JSON body when given).
    func call(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil,
              headers: HTTPFields = APIHarness.auth) async throws -> TestResponse {
        var fields = headers
        if json != nil && fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any], "body is not a JSON object: \(text)")
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

struct ErrorBody: Decodable, Equatable {
    var error: String
    var detail: String
}

/// Checks an error answer: status, the JSON `{"error", "detail"}` shape, its code and that the
/// detail names what it should.
func expectError(_ response: TestResponse, _ status: HTTPResponse.Status, _ code: String, mentioning: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status, "status for body \(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    guard let body = try? response.decode(ErrorBody.self) else {
        Issue.record("error body is not {error, detail}: \(response.text)", sourceLocation: sourceLocation)
        return
    }
    #expect(body.error == code, "detail: \(body.detail)", sourceLocation: sourceLocation)
    if let mentioning {
        #expect(body.detail.contains(mentioning), "detail '\(body.detail)' should mention '\(mentioning)'",
                sourceLocation: sourceLocation)
    }
}
