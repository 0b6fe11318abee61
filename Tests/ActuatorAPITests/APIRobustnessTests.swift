import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Hostile input never yields a 5xx or a non-JSON error: a seeded sweep over broken bodies and
/// paths (bench/api-fuzz.sh does the same at scale against the OpenAPI document).
@Suite struct APIRobustnessTests {
    /// SplitMix64: the sweep is the same on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func hostileBodies() -> [[UInt8]] {
        var rng = Generator(state: 7)
        let valid = Array(#"{"group": "web", "start": 1767262200, "end": 1767262800, "level": 5, "note": "ok"}"#.utf8)
        var bodies: [[UInt8]] = [
            Array(String(repeating: "[", count: 60_000).utf8),                 // nesting far past the parser's depth
            Array(String(repeating: "{\"a\":", count: 10_000).utf8),
            Array(#"{"group": "web", "start": 1e999999, "end": -1e999999, "level": 1}"#.utf8),
            Array(#"{"group": "\ud800", "start": 1, "end": 2, "level": 1}"#.utf8),  // lone surrogate escape
            [0xFF, 0xFE, 0x00, 0x7B],                                               // not UTF-8
            Array(#"{"group": "web", "group": "batch", "start": 1, "end": 2, "level": 1}"#.utf8),
            Array(#"[{"group": "web", "metric": "tps", "value": 1}, null, 3, "x"]"#.utf8),
            Array("{}".utf8), Array("[]".utf8), Array("null".utf8), Array("0".utf8), Array(" ".utf8),
        ]
        for _ in 0..<150 {
            var body = valid
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 0..<body.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: body[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: body.remove(at: i)
                default: body.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                }
                if body.isEmpty { body = [0x7B] }
            }
            bodies.append(body)
        }
        for _ in 0..<30 {
            bodies.append((0..<Int.random(in: 1...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        return bodies
    }

    @Test func brokenBodiesGetJSON4xxNever5xx() async throws {
        let bodies = Self.hostileBodies()
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            for (n, body) in bodies.enumerated() {
                for uri in ["/v1/notices", "/v1/metrics"] {
                    let response = try await client.execute(uri: uri, method: .post, headers: APIHarness.jsonAuth,
                                                            body: ByteBuffer(bytes: body))
                    let ok = response.status.code < 300
                    #expect(ok || (400..<500).contains(response.status.code), "body \(n) on \(uri): \(response.status)")
                    if !ok {
                        #expect((try? response.decode(ErrorBody.self)) != nil, "body \(n) on \(uri): \(response.text)")
                    }
                }
            }
            #expect(try await client.call(.get, "/healthz").status == .ok)
        }
    }

    @Test func strangePathsAndQueriesGet4xx() async throws {
        let uris = ["/v1/forecasts/%ZZ", "/v1/forecasts/%00", "/v1/forecasts/%C3%28", "/v1/forecasts/" + String(repeating: "a", count: 300),
                    "/v1/forecasts/..%2F..%2Fetc", "/v1/notices?group=", "/v1/notices?group=%FF", "/v1/shadows?state=%00",
                    "/v1/notices?limit=99999999999999999999", "/v1/notices?from=-", "/v1//forecasts", "/%2e%2e/v1/hosts"]
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            for uri in uris {
                let response = try await client.call(.get, uri)
                #expect((400..<500).contains(response.status.code), "\(uri): \(response.status) \(response.text)")
                #expect((try? response.decode(ErrorBody.self)) != nil, "\(uri): \(response.text)")
            }
            let activate = try await client.call(.post, "/v1/shadows/%ZZ/activate")
            #expect((400..<500).contains(activate.status.code))
        }
    }
}
