import APITestSupport
import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Keeps docs/openapi.yaml and the router in step: the same operations, and every answer the API
/// gives (successes and errors) has a documented status and conforms to the documented schema.
@Suite struct OpenAPIConformanceTests {
    @Test func theDocumentDescribesExactlyTheRegisteredRoutes() throws {
        let document = try OpenAPIDocument.load()
        for requireToken in [false, true] {
            let harness = try APIHarness(configure: { $0.metricsRequireToken = requireToken })
            let registered = Set(harness.router.routes.map { "\($0.method.rawValue) \($0.path)" })
            #expect(registered == document.operations, "metricsRequireToken \(requireToken)")
        }
    }

    @Test func onlyHealthAndMetricsAreDocumentedAsPublic() throws {
        let document = try OpenAPIDocument.load()
        for operation in document.operations {
            let parts = operation.split(separator: " ").map(String.init)
            let security = document.operation(parts[0], parts[1])?["security"] as? [Any]
            let isPublic = security?.isEmpty == true
            #expect(isPublic == ["/healthz", "/metrics"].contains(parts[1]), "\(operation)")
        }
    }

    /// Requests covering every operation's success and the error answers the tests pin elsewhere.
    static let exchanges: [(method: HTTPRequest.Method, path: String, uri: String, json: String?, auth: Bool)] = [
        (.get, "/healthz", "/healthz", nil, false),
        (.post, "/v1/notices", "/v1/notices", #"{"group": "web", "start": 1767262200, "end": 1767262800, "level": 250, "note": "n"}"#, true),
        (.post, "/v1/notices", "/v1/notices", #"{"group": "web", "start": 1767262200, "end": 1767262800, "multiplier": 2}"#, true),
        (.post, "/v1/notices", "/v1/notices", #"{"group": "web"}"#, true),
        (.post, "/v1/notices", "/v1/notices", #"{"group": "web", "start": 2, "end": 1, "level": 1}"#, true),
        (.post, "/v1/notices", "/v1/notices", #"{"group": "nope", "start": 1, "end": 2, "level": 1}"#, true),
        (.post, "/v1/notices", "/v1/notices", #"{"group": "web", "start": 1, "end": 2, "level": 1}"#, false),
        (.get, "/v1/notices", "/v1/notices", nil, true),
        (.get, "/v1/notices", "/v1/notices?group=web", nil, true),
        (.get, "/v1/notices", "/v1/notices?group=nope", nil, true),
        (.get, "/v1/forecasts/{group}", "/v1/forecasts/web", nil, true),
        (.get, "/v1/forecasts/{group}", "/v1/forecasts/nope", nil, true),
        (.get, "/v1/shadows", "/v1/shadows", nil, true),
        (.get, "/v1/shadows", "/v1/shadows?state=bogus", nil, true),
        (.post, "/v1/shadows/{id}/activate", "/v1/shadows/web-s1/activate", nil, true),
        (.post, "/v1/shadows/{id}/activate", "/v1/shadows/web-s1/activate", nil, true),
        (.post, "/v1/shadows/{id}/activate", "/v1/shadows/none/activate", nil, true),
        (.get, "/v1/shadows", "/v1/shadows?group=web&state=active", nil, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/web/activate", #"{"capacity": {"units": 15}}"#, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/web/activate", #"{"capacity": {"units": 15, "vcpus": 2}}"#, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/web/activate", #"{"capacity": null}"#, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/batch/activate", nil, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/batch/activate", #"{"capacity": {"vcpus": 2, "memoryMiB": 2048}}"#, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/batch/activate", nil, true),
        (.post, "/v1/groups/{group}/activate", "/v1/groups/nope/activate", nil, true),
        (.get, "/v1/hosts", "/v1/hosts", nil, true),
        (.get, "/v1/hosts", "/v1/hosts", nil, false),
        (.post, "/v1/metrics", "/v1/metrics", #"[{"group": "web", "metric": "tps", "value": 3.5, "time": 5}]"#, true),
        (.post, "/v1/metrics", "/v1/metrics", #"{"group": "web", "metric": "tps", "value": 3}"#, true),
        (.post, "/v1/metrics", "/v1/metrics", #"{"group": "web", "metric": "tps", "value": -3}"#, true),
        (.post, "/v1/metrics", "/v1/metrics", #"not json"#, true),
    ]

    @Test func everyAnswerHasADocumentedStatusAndConformsToItsSchema() async throws {
        let document = try OpenAPIDocument.load()
        let results = try await APIHarness().run { (client: any TestClientProtocol) async throws in
            var results: [(String, HTTPResponse.Status, String)] = []
            for e in Self.exchanges {
                let response = try await client.call(e.method, e.uri, json: e.json, headers: e.auth ? APIHarness.auth : [:])
                results.append(("\(e.method.rawValue) \(e.path)", response.status, response.text))
            }
            return results
        }
        var statusesSeen: Set<Int> = []
        for (operation, status, body) in results {
            let parts = operation.split(separator: " ").map(String.init)
            statusesSeen.insert(status.code)
            #expect(document.documentedStatuses(parts[0], parts[1]).contains(status.code),
                    "\(operation) answered \(status.code), which docs/openapi.yaml does not list")
            let schema = try #require(document.responseSchema(parts[0], parts[1], status: status.code),
                                      "\(operation) \(status.code) has no JSON schema")
            let problems = document.problems(try JSONValue.parse(body), schema)
            #expect(problems.isEmpty, "\(operation) \(status.code): \(problems) in \(body)")
        }
        // The exchanges above reach successes and each kind of client error.
        #expect(statusesSeen.isSuperset(of: [200, 201, 202, 400, 401, 404, 409, 422]))
    }

    @Test func theSchemaValidatorRejectsWhatItShould() throws {
        // The validator is only as good as its refusals: a test of the test.
        let document = try OpenAPIDocument.load()
        let notice = try #require(document.resolve("#/components/schemas/Notice"))
        #expect(document.problems(try JSONValue.parse(#"{"id": 1, "group": "g", "start": 1, "end": 2, "createdAt": 0}"#), notice).isEmpty)
        #expect(!document.problems(try JSONValue.parse(#"{"id": 1, "group": "g", "start": 1, "end": 2}"#), notice).isEmpty)
        #expect(!document.problems(try JSONValue.parse(#"{"id": "1", "group": "g", "start": 1, "end": 2, "createdAt": 0}"#), notice).isEmpty)
        #expect(!document.problems(try JSONValue.parse(#"{"id": 1.5, "group": "g", "start": 1, "end": 2, "createdAt": 0}"#), notice).isEmpty)
        #expect(!document.problems(try JSONValue.parse(#"{"id": 1, "group": "g", "start": 1, "end": 2, "createdAt": 0, "x": 1}"#), notice).isEmpty)
        let demand = try #require(document.resolve("#/components/schemas/Demand"))
        #expect(document.problems(try JSONValue.parse(#""+inf""#), demand).isEmpty)
        #expect(!document.problems(try JSONValue.parse(#""inf""#), demand).isEmpty)
        #expect(!document.problems(try JSONValue.parse("true"), demand).isEmpty)
    }
}
