import Actuator
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// WebhookRouter against a tiny local Hummingbird server that records what it receives.
@Suite struct WebhookRouterTests {
    final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(authorization: String?, contentType: String?, event: RouteEvent)] = []
        func append(_ item: (String?, String?, RouteEvent)) { lock.withLock { items.append(item) } }
        var all: [(authorization: String?, contentType: String?, event: RouteEvent)] { lock.withLock { items } }
    }

    static func receiver(_ received: Received, failWith status: HTTPResponse.Status? = nil) -> some ApplicationProtocol {
        let router = Router()
        router.post("/hook") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let event = try JSONDecoder().decode(RouteEvent.self, from: Data(body.readableBytesView))
            received.append((request.headers[.authorization], request.headers[.contentType], event))
            if let status { return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: "boom: no balancer"))) }
            return Response(status: .noContent)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test func enableAndDisablePostTheirEventsWithTheToken() async throws {
        let received = Received()
        try await Self.receiver(received).test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            let router = try WebhookRouter(url: "http://127.0.0.1:\(port)/hook", bearerToken: "hook-secret", now: { 1234 })
            try await router.enable(RouteTarget(group: "web", server: "psm-web-s1", address: "10.0.0.5:8080", weight: 60))
            try await router.disable(group: "web", server: "psm-web-s1")
        }
        let all = received.all
        #expect(all.map(\.event) == [
            RouteEvent(action: .enable, group: "web", server: "psm-web-s1", address: "10.0.0.5:8080", weight: 60, time: 1234),
            RouteEvent(action: .disable, group: "web", server: "psm-web-s1", time: 1234),
        ])
        #expect(all.allSatisfy { $0.authorization == "Bearer hook-secret" && $0.contentType == "application/json" })
    }

    @Test func aNon2xxAnswerIsARoutingErrorWithStatusAndText() async throws {
        let received = Received()
        try await Self.receiver(received, failWith: .badGateway).test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            let router = try WebhookRouter(url: "http://127.0.0.1:\(port)/hook")
            do {
                try await router.enable(RouteTarget(group: "web", server: "s1", address: "10.0.0.5"))
                Issue.record("a 502 answer must fail the routing step")
            } catch let error as RoutingError {
                #expect(error.router == "webhook")
                #expect(error.message.contains("answered 502") && error.message.contains("boom: no balancer"), "\(error)")
            }
        }
        #expect(received.all.count == 1)
    }

    @Test func anUnreachableOrInvalidURLIsARoutingError() async throws {
        #expect(throws: RoutingError.self) { try WebhookRouter(url: "ftp://example/hook") }
        #expect(throws: RoutingError.self) { try WebhookRouter(url: "not a url") }
        // A port nobody listens on (taken from the kernel, then released).
        let port = try HAProxyFixture.freePort()
        let router = try WebhookRouter(url: "http://127.0.0.1:\(port)/hook", timeout: .seconds(2))
        await #expect(throws: RoutingError.self) { try await router.disable(group: "web", server: "s1") }
    }
}
