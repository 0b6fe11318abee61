@testable import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct APIAuthTests {
    @Test func requestsWithoutTokenAreRefusedWith401() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/notices"), (.get, "/v1/forecasts/web"), (.get, "/v1/shadows"),
                                  (.get, "/v1/hosts"), (.post, "/v1/notices"), (.post, "/v1/metrics"),
                                  (.post, "/v1/shadows/web-s1/activate"), (.get, "/v1/no-such-route")] {
                let response = try await client.call(method, uri, headers: [:])
                expectError(response, .unauthorized, "unauthorized", mentioning: "Authorization")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
        }
    }

    @Test func wrongOrMalformedTokensAreRefusedWith401() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let headers: [String] = [
                "Bearer wrong-token-0123456789abcdef",
                "Bearer \(APIHarness.token)x",
                "Bearer \(APIHarness.token.dropLast())",
                "Basic dXNlcjpwYXNz",
                "Bearer",
                "Bearer    ",
                APIHarness.token,
            ]
            for header in headers {
                let response = try await client.call(.get, "/v1/hosts", headers: [.authorization: header])
                expectError(response, .unauthorized, "unauthorized")
            }
            // Nothing was read or written on the way: the valid token still works afterwards.
            #expect(try await client.call(.get, "/v1/hosts").status == .ok)
        }
    }

    @Test func anyConfiguredTokenIsAcceptedWithCaseInsensitiveScheme() async throws {
        let second = "second-token-abcdefghijklmnop"
        try await APIHarness(configure: { $0.tokens.append(second) }).run { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.get, "/v1/hosts", headers: [.authorization: "Bearer \(second)"]).status == .ok)
            #expect(try await client.call(.get, "/v1/hosts", headers: [.authorization: "bearer \(APIHarness.token)"]).status == .ok)
        }
    }

    @Test func healthAndMetricsNeedNoTokenByDefault() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let health = try await client.call(.get, "/healthz", headers: [:])
            #expect(health.status == .ok)
            #expect(try health.object()["status"] as? String == "ok")
            #expect(try await client.call(.get, "/metrics", headers: [:]).status == .ok)
        }
    }

    @Test func metricsCanRequireAToken() async throws {
        try await APIHarness(configure: { $0.metricsRequireToken = true }).run { (client: any TestClientProtocol) async throws in
            expectError(try await client.call(.get, "/metrics", headers: [:]), .unauthorized, "unauthorized")
            #expect(try await client.call(.get, "/metrics").status == .ok)
            #expect(try await client.call(.get, "/healthz", headers: [:]).status == .ok)
        }
    }

    @Test func bearerCredentialsParseAsRFC6750Says() {
        #expect(BearerAuthMiddleware.bearerToken("Bearer abc") == "abc")
        #expect(BearerAuthMiddleware.bearerToken("  BEARER   abc  ") == "abc")
        #expect(BearerAuthMiddleware.bearerToken("Bearer") == nil)
        #expect(BearerAuthMiddleware.bearerToken("Bearer    ") == nil)
        #expect(BearerAuthMiddleware.bearerToken("Basic abc") == nil)
        #expect(BearerAuthMiddleware.bearerToken("Bearerabc") == nil)
    }

    @Test func tokenMatchingFindsTheRightTokenAmongSeveral() {
        let auth = BearerAuthMiddleware(tokens: ["aaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbb2", "cccccccccccccccc3"])
        #expect(auth.match("bbbbbbbbbbbbbbbb2") == 1)
        #expect(auth.match("cccccccccccccccc3") == 2)
        #expect(auth.match("bbbbbbbbbbbbbbbb") == nil)
        #expect(auth.match("") == nil)
    }
}
