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

/// The webhook's drain event and its HMAC signature, checked by a receiver that verifies it.
@Suite struct WebhookSignatureTests {
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(signature: String?, valid: Bool, event: RouteEvent)] = []
        func append(_ item: (String?, Bool, RouteEvent)) { lock.withLock { items.append(item) } }
        var all: [(signature: String?, valid: Bool, event: RouteEvent)] { lock.withLock { items } }
    }

    @Test func drainIsPostedAndEveryBodyIsSignedWithTheSecret() async throws {
        let seen = Seen()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = Data(try await request.body.collect(upTo: 1 << 16).readableBytesView)
            let signature = request.headers[.init("X-PSM-Signature")!]
            let event = try JSONDecoder().decode(RouteEvent.self, from: body)
            seen.append((signature, signature == WebhookRouter.signature(of: body, secret: "k3y"), event))
            return Response(status: .noContent)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            let hook = try WebhookRouter(url: "http://127.0.0.1:\(port)/hook", secret: "k3y", now: { 99 })
            try await hook.drain(group: "web", server: "psm-web-1")
            #expect(try await hook.openSessions(group: "web", server: "psm-web-1") == nil, "a webhook cannot see sessions")
            try await hook.disable(group: "web", server: "psm-web-1")
        }
        #expect(seen.all.map(\.event) == [RouteEvent(action: .drain, group: "web", server: "psm-web-1", time: 99),
                                          RouteEvent(action: .disable, group: "web", server: "psm-web-1", time: 99)])
        #expect(seen.all.allSatisfy { $0.valid && $0.signature?.hasPrefix("sha256=") == true })
    }
}
