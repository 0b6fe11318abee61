import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct APILimitsTests {
    /// A notice whose note pads the body to about `bytes`.
    static func paddedNotice(bytes: Int) -> String {
        let head = #"{"group": "web", "start": 100, "end": 200, "level": 1, "note": ""#
        return head + String(repeating: "x", count: max(0, bytes - head.utf8.count - 2)) + #""}"#
    }

    @Test func bodiesOverTheLimitAreRefusedWith413() async throws {
        try await APIHarness(configure: { $0.maxBodyBytes = 4096 }).run { (client: any TestClientProtocol) async throws in
            let big = Self.paddedNotice(bytes: 5000)
            // Declared length over the limit: refused before the body is read.
            var headers = APIHarness.jsonAuth
            headers[.contentLength] = String(big.utf8.count)
            expectError(try await client.call(.post, "/v1/notices", json: big, headers: headers),
                        .contentTooLarge, "payload_too_large", mentioning: "4096 bytes")
            // No declared length: refused while reading.
            expectError(try await client.call(.post, "/v1/notices", json: big), .contentTooLarge, "payload_too_large")
            expectError(try await client.call(.post, "/v1/metrics", json: "[" + String(repeating: " ", count: 5000) + "]"),
                        .contentTooLarge, "payload_too_large")
            // Just under the limit is read (and then judged on its content: the note is too long).
            expectError(try await client.call(.post, "/v1/notices", json: Self.paddedNotice(bytes: 4000)),
                        .unprocessableContent, "invalid", mentioning: "'note' is longer than 2000")
        }
    }

    @Test func aWriteBurstBeyondTheBucketGets429WithRetryAfter() async throws {
        let clock = ManualClock()
        let harness = try APIHarness(configure: { $0.writeRatePerSecond = 2; $0.writeBurst = 3 }, clock: clock)
        try await harness.run { (client: any TestClientProtocol) async throws in
            let sample = #"{"group": "web", "metric": "tps", "value": 1}"#
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 { statuses.append(try await client.call(.post, "/v1/metrics", json: sample).status) }
            #expect(statuses == [.accepted, .accepted, .accepted, .tooManyRequests, .tooManyRequests])
            let refused = try await client.call(.post, "/v1/notices", json: "{}")
            expectError(refused, .tooManyRequests, "rate_limited", mentioning: "retry after 1 s")
            // One token at 2 per second is half a second away: rounded up to whole seconds.
            #expect(refused.headers[.retryAfter] == "1")
            // Reads are never limited.
            for _ in 0..<10 { #expect(try await client.call(.get, "/v1/hosts").status == .ok) }
            // Half a second later one write fits again, and only one.
            clock.advance(0.5)
            #expect(try await client.call(.post, "/v1/metrics", json: sample).status == .accepted)
            #expect(try await client.call(.post, "/v1/metrics", json: sample).status == .tooManyRequests)
        }
    }

    @Test func theBucketRefillsAtItsRateAndNeverBeyondItsBurst() {
        let clock = ManualClock()
        let limiter = WriteRateLimiter(rate: 10, burst: 5, now: { clock.seconds })
        for _ in 0..<5 { #expect(limiter.take(client: 0) == nil) }
        let wait = limiter.take(client: 0)
        #expect(wait.map { abs($0 - 0.1) < 1e-12 } == true)  // one token per 1/rate seconds
        #expect(limiter.take(client: 1) == nil)              // another client has its own bucket
        clock.advance(100)                                   // a long pause refills to the burst only
        for _ in 0..<5 { #expect(limiter.take(client: 0) == nil) }
        #expect(limiter.take(client: 0) != nil)
    }

    @Test func wrongMethodsAre405WithAllowAndUnknownRoutes404() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let response = try await client.call(.delete, "/v1/notices")
            expectError(response, .methodNotAllowed, "method_not_allowed", mentioning: "DELETE")
            #expect(response.headers[.allow] == "POST, GET")
            let activate = try await client.call(.get, "/v1/shadows/web-s1/activate")
            expectError(activate, .methodNotAllowed, "method_not_allowed")
            #expect(activate.headers[.allow] == "POST")
            expectError(try await client.call(.get, "/v2/notices"), .notFound, "not_found", mentioning: "no route")
            expectError(try await client.call(.get, "/v1/forecasts"), .notFound, "not_found")
        }
    }
}
