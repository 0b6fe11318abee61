import APITestSupport
import Foundation
import Testing

/// The API as users reach it: the real `psm-actuator run --listen` (its `serve()`: the decision
/// loop, the collector and the HTTP service in one service group, on libvirt's test driver), asked
/// over a real socket. Every answer must have a status docs/openapi.yaml lists and conform to its
/// schema, every documented operation is exercised, and the answers show the runtime acted (a
/// shadow it provisioned is activated once, the second request conflicts).
@Suite struct ServedAPITests {
    static let token = "served-token-0123456789abcdef"

    struct Exchange {
        var method: String
        var path: String
        var uri: String
        var json: String?
        var auth = true
    }

    struct Answer {
        var status: Int
        var body: String
    }

    /// One request on a connection of its own (`Connection: close`), over a blocking socket on a
    /// Dispatch thread: the parallel suite keeps Swift's cooperative pool and URLSession busy.
    static func call(_ port: Int, _ e: Exchange) async throws -> Answer {
        let answer = await offloaded { () -> Answer? in
            guard let socket = RawSocket(port: port) else { return nil }
            var head = "\(e.method) \(e.uri) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            if e.auth { head += "Authorization: Bearer \(token)\r\n" }
            let body = e.json.map { Array($0.utf8) } ?? []
            if e.json != nil { head += "Content-Type: application/json\r\n" }
            head += "Content-Length: \(body.count)\r\n\r\n"
            guard socket.send(head + (e.json ?? "")) else { return nil }
            return socket.readResponse(within: 30).map { Answer(status: $0.status, body: $0.body) }
        }
        guard let answer else { throw NoAnswer(request: "\(e.method) \(e.uri)", port: port) }
        return answer
    }

    /// Asks until the service answers (it binds after its first start-up steps).
    static func waitUntilServing(_ port: Int, within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        // Asked once more after every wait, the last included (a task resumed late by the loaded
        // cooperative pool still asks before giving up).
        while true {
            if let answer = try? await call(port, Exchange(method: "GET", path: "/healthz", uri: "/healthz", auth: false)),
               answer.status == 200 || answer.status == 503 { return true }
            if Date() >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The ready shadows the service provisioned, by group (polled: the first cycles provision them).
    static func readyShadows(_ port: Int, within seconds: Double) async throws -> [String: [String]] {
        let deadline = Date().addingTimeInterval(seconds)
        var found: [String: [String]] = [:]
        while true {
            let answer = try await call(port, Exchange(method: "GET", path: "/v1/shadows", uri: "/v1/shadows?state=ready"))
            let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            found = [:]
            for shadow in object?["shadows"] as? [[String: Any]] ?? [] {
                if let group = shadow["group"] as? String, let id = shadow["id"] as? String { found[group, default: []].append(id) }
            }
            if found["web", default: []].count >= 2 && found["batch", default: []].count >= 2 { return found }
            if Date() >= deadline { return found }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    @Test("psm-actuator run --listen: every answer documented and conforming, every operation exercised, the runtime acts")
    func theServedAPIConformsToTheDocument() async throws {
        let document = try OpenAPIDocument.load()
        let scratch = try ActuatorScratch(extra: "[actuator.sizing]\nmin = 2\n")
        defer { scratch.cleanUp() }
        try """

        [[actuator.groups]]
        name = "batch"
        unit = 1
        """.appendLine(to: scratch.config)
        let stop = scratch.path + "/stop"
        // Port 0: the service binds a free port and logs it (a port picked here and released could
        // be taken by another test's server before psm-actuator binds it).
        let child = try launchProcess(try builtExecutable("psm-actuator"),
                                      ["run", "--config", scratch.config, "--listen", "127.0.0.1:0"],
                                      environment: ["PSM_API_TOKEN": Self.token, "PSM_LOG_LEVEL": "info"],
                                      terminateAfter: 0, whenFileExists: stop, timeout: 600)
        var answers: [(Exchange, Answer)] = []
        var activated: String?
        var serving = false
        var failure: (any Error)?
        var port = 0
        do {
            defer { FileManager.default.createFile(atPath: stop, contents: nil) }
            // Generous: the parallel suite on two loaded cores can hold a debug binary's start-up long.
            guard let bound = await child.listeningPort(within: 180) else { throw NoAnswer(request: "its listening log line", port: 0) }
            port = bound
            serving = await Self.waitUntilServing(port, within: 60)
            guard serving else { throw NoAnswer(request: "GET /healthz", port: port) }
            let ready = try await Self.readyShadows(port, within: 120)
            let web = try #require(ready["web"]?.first, "no ready shadow of web: \(ready)")
            activated = web
            let exchanges: [Exchange] = [
                .init(method: "GET", path: "/healthz", uri: "/healthz", auth: false),
                .init(method: "POST", path: "/v1/notices", uri: "/v1/notices",
                      json: #"{"group": "web", "start": 4102444800, "end": 4102448400, "level": 25, "note": "served"}"#),
                .init(method: "POST", path: "/v1/notices", uri: "/v1/notices",
                      json: #"{"group": "batch", "start": 4102444800, "end": 4102448400, "multiplier": 2}"#),
                .init(method: "POST", path: "/v1/notices", uri: "/v1/notices", json: #"{"group": "web"}"#),
                .init(method: "POST", path: "/v1/notices", uri: "/v1/notices", json: #"{"group": "web", "start": 2, "end": 1, "level": 1}"#),
                .init(method: "POST", path: "/v1/notices", uri: "/v1/notices", json: #"{"group": "nope", "start": 1, "end": 2, "level": 1}"#),
                .init(method: "POST", path: "/v1/notices", uri: "/v1/notices", json: #"{"group": "web", "start": 1, "end": 2, "level": 1}"#,
                      auth: false),
                .init(method: "GET", path: "/v1/notices", uri: "/v1/notices"),
                .init(method: "GET", path: "/v1/notices", uri: "/v1/notices?group=web"),
                .init(method: "GET", path: "/v1/notices", uri: "/v1/notices?group=nope"),
                .init(method: "GET", path: "/v1/forecasts/{group}", uri: "/v1/forecasts/web"),
                .init(method: "GET", path: "/v1/forecasts/{group}", uri: "/v1/forecasts/nope"),
                .init(method: "GET", path: "/v1/shadows", uri: "/v1/shadows"),
                .init(method: "GET", path: "/v1/shadows", uri: "/v1/shadows?state=bogus"),
                .init(method: "POST", path: "/v1/shadows/{id}/activate", uri: "/v1/shadows/\(web)/activate"),
                .init(method: "POST", path: "/v1/shadows/{id}/activate", uri: "/v1/shadows/\(web)/activate"),
                .init(method: "POST", path: "/v1/shadows/{id}/activate", uri: "/v1/shadows/none/activate"),
                .init(method: "GET", path: "/v1/shadows", uri: "/v1/shadows?group=web&state=active"),
                .init(method: "POST", path: "/v1/groups/{group}/activate", uri: "/v1/groups/batch/activate", json: #"{"capacity": {"units": 1}}"#),
                .init(method: "POST", path: "/v1/groups/{group}/activate", uri: "/v1/groups/web/activate", json: #"{"capacity": {"units": 1, "vcpus": 2}}"#),
                .init(method: "POST", path: "/v1/groups/{group}/activate", uri: "/v1/groups/web/activate", json: #"{"capacity": null}"#),
                .init(method: "POST", path: "/v1/groups/{group}/activate", uri: "/v1/groups/nope/activate"),
                .init(method: "GET", path: "/v1/hosts", uri: "/v1/hosts"),
                .init(method: "GET", path: "/v1/hosts", uri: "/v1/hosts", auth: false),
                .init(method: "POST", path: "/v1/metrics", uri: "/v1/metrics", json: #"[{"group": "web", "metric": "tps", "value": 3.5, "time": 5}]"#),
                .init(method: "POST", path: "/v1/metrics", uri: "/v1/metrics", json: #"{"group": "web", "metric": "tps", "value": -3}"#),
                .init(method: "POST", path: "/v1/metrics", uri: "/v1/metrics", json: "not json"),
            ]
            for e in exchanges { answers.append((e, try await Self.call(port, e))) }
            let metrics = try await Self.call(port, Exchange(method: "GET", path: "/metrics", uri: "/metrics", auth: false))
            #expect(metrics.status == 200 && metrics.body.contains("psm_"), "GET /metrics: \(metrics.status) \(metrics.body.prefix(200))")
            answers.append((Exchange(method: "GET", path: "/metrics", uri: "/metrics", auth: false), metrics))
        } catch {
            failure = error
        }
        let outcome = await child.finished()
        if let failure { Issue.record(failure, "psm-actuator printed: \(outcome.errors.suffix(3000))") }
        #expect(serving, "the service never answered on port \(port); it printed: \(outcome.errors.suffix(2000))")
        #expect(outcome.status == 0 && !outcome.signalled, "psm-actuator ended \(outcome.status): \(outcome.errors.suffix(2000))")

        var statuses: Set<Int> = []
        for (e, answer) in answers {
            let operation = "\(e.method) \(e.path)"
            statuses.insert(answer.status)
            #expect(document.documentedStatuses(e.method, e.path).contains(answer.status),
                    "\(operation) (\(e.uri)) answered \(answer.status), which docs/openapi.yaml does not list: \(answer.body)")
            guard e.path != "/metrics" else { continue }
            let schema = try #require(document.responseSchema(e.method, e.path, status: answer.status),
                                      "\(operation) \(answer.status) has no JSON schema")
            let problems = document.problems(try JSONValue.parse(answer.body), schema)
            #expect(problems.isEmpty, "\(operation) \(answer.status): \(problems) in \(answer.body)")
        }
        #expect(Set(answers.map { "\($0.0.method) \($0.0.path)" }) == document.operations, "every documented operation is exercised")
        #expect(statuses.isSuperset(of: [200, 201, 202, 400, 401, 404, 409, 422]), "\(statuses.sorted())")
        // The runtime acted: the first activation of the provisioned shadow succeeded, the second
        // was refused as a conflict, and the active listing shows it.
        let byURI = answers.filter { $0.0.uri == "/v1/shadows/\(activated ?? "")/activate" }.map(\.1.status)
        #expect(byURI.count == 2 && [200, 202].contains(byURI[0]) && byURI[1] == 409, "\(byURI)")
        let active = answers.first { $0.0.uri == "/v1/shadows?group=web&state=active" }?.1.body ?? ""
        #expect(active.contains(activated ?? "?"), "the activated shadow is listed active: \(active)")
    }
}

struct NoAnswer: Error, CustomStringConvertible {
    let request: String
    let port: Int
    var description: String { "psm-actuator gave no answer to \(request) on 127.0.0.1:\(port)" }
}

private extension String {
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
