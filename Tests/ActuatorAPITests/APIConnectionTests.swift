import ActuatorAPI
import APITestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MetricStore
import Prometheus
import Testing

/// Timeouts and the connection limit, against the real server on 127.0.0.1 (an ephemeral port),
/// with raw sockets so that the test decides which bytes arrive and when.
@Suite struct APIConnectionTests {
    /// Serves the stand-in over loopback with `configure` applied and hands the port to `test`.
    func withLiveAPI(_ configure: (inout APIConfiguration) -> Void, log: CapturedLog? = nil,
                     _ test: @escaping @Sendable (Int) async throws -> Void) async throws {
        let control = try StandInControl(store: try MetricStore.inMemory(), groups: ["web"], now: { APIHarness.now })
        var configuration = APIConfiguration(host: "127.0.0.1", port: 0, tokens: [APIHarness.token])
        configure(&configuration)
        let app = try ActuatorAPI.makeApplication(control: control, configuration: configuration,
                                                  registry: PrometheusCollectorRegistry(),
                                                  logger: log.map { log in Logger(label: "test") { _ in CapturingLogHandler(log: log) } }
                                                      ?? Logger(label: "test"))
        try await app.test(.live) { (client: any TestClientProtocol) async throws in
            try await test(try #require(client.port))
        }
    }

    static let healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    /// `/healthz` on a fresh connection: its status, or nil when the connection was closed unanswered.
    static func healthzStatus(port: Int, within seconds: Double = 5) -> Int? {
        guard let socket = RawSocket(port: port), socket.send(healthz) else { return nil }
        return socket.readResponse(within: seconds)?.status
    }

    /// /healthz on fresh connections until one is answered or `seconds` pass: a slot freed by a
    /// client's close reaches the server's count when the event loop has seen the close, which on a
    /// loaded machine can take longer than any fixed sleep.
    static func healthzStatusOnceFreed(port: Int, within seconds: Double = 15) -> Int? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int?
        repeat {
            status = healthzStatus(port: port, within: 2)
            if status == 200 { return status }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        return status
    }

    /// Sends `head`, then one more byte every `every` seconds (a slowloris), until the server closes
    /// the connection or `limit` seconds pass: the seconds until the close, nil if it never came.
    static func slowloris(_ socket: RawSocket, head: String, from start: Date = Date(), every: Double = 0.2,
                          limit: Double = 6) -> Double? {
        guard socket.send(head) else { return 0 }
        while Date().timeIntervalSince(start) < limit {
            if socket.read(within: every) == .closed { return Date().timeIntervalSince(start) }
            if !socket.send("a") { return Date().timeIntervalSince(start) }
        }
        return nil
    }

    /// A socket connected to the server (the blocking connect off the cooperative pool).
    static func connect(_ port: Int) async throws -> RawSocket {
        try #require(await offloaded { RawSocket(port: port) }, "connect to 127.0.0.1:\(port)")
    }

    static func inRange(_ seconds: Double?, _ range: ClosedRange<Double> = 0.8...3.5) -> Bool {
        seconds.map { range.contains($0) } ?? false
    }

    // Blocking socket work runs in `offloaded` (a thread of its own) and returns what it saw; every
    // expectation is made back in the test's task, where swift-testing attributes it to the test.

    @Test func aHeadSentByteByByteIsCutOffAtTheHeaderTimeout() async throws {
        try await withLiveAPI({ $0.headerTimeout = 1; $0.idleTimeout = 30; $0.bodyTimeout = 30 }) { port in
            // A new connection trickling a head that never ends (timed from before the connect: the
            // header timeout of a new connection runs from its accept).
            let connecting = Date()
            let trickling = try await Self.connect(port)
            let cut = await offloaded {
                Self.slowloris(trickling, head: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", from: connecting)
            }
            #expect(Self.inRange(cut), "closed after \(String(describing: cut)) s")

            // A new connection that says nothing owes its head within the header timeout too.
            let connectingSilent = Date()
            let silent = try await Self.connect(port)
            let quiet = await offloaded { silent.secondsUntilClosed(within: 6, from: connectingSilent) }
            #expect(Self.inRange(quiet), "closed after \(String(describing: quiet)) s")

            // A kept-alive connection: the header timeout runs from the first byte of the next request,
            // not from the end of the last response.
            let kept = try await Self.connect(port)
            let first = await offloaded { kept.send(Self.healthz) ? kept.readResponse(within: 5)?.status : nil }
            #expect(first == 200)
            let waiting = await offloaded { kept.read(within: 1.5) }
            #expect(waiting == .timeout, "idle within the idle timeout stays open")
            let second = await offloaded { Self.slowloris(kept, head: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            #expect(Self.inRange(second), "closed after \(String(describing: second)) s")

            // A complete head in time is answered.
            #expect(await offloaded { Self.healthzStatus(port: port) } == 200)
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withLiveAPI({ $0.idleTimeout = 1; $0.headerTimeout = 30; $0.bodyTimeout = 30 }) { port in
            let socket = try await Self.connect(port)
            let (status, early, closed) = await offloaded { () -> (Int?, RawSocket.ReadResult, Double?) in
                let status = socket.send(Self.healthz) ? socket.readResponse(within: 5)?.status : nil
                let start = Date()
                let early = socket.read(within: 0.5)
                return (status, early, socket.secondsUntilClosed(within: 6, from: start))
            }
            #expect(status == 200)
            #expect(early == .timeout, "kept alive right after the response")
            // Timed from the client's read of the response: the server's timer started a little earlier.
            #expect(Self.inRange(closed, 0.5...3.5), "closed after \(String(describing: closed)) s")
        }
    }

    @Test func aBodyThatStallsIsCutOffAtTheBodyTimeout() async throws {
        let log = CapturedLog()
        try await withLiveAPI({ $0.bodyTimeout = 1; $0.idleTimeout = 30; $0.headerTimeout = 30 }, log: log) { port in
            let socket = try await Self.connect(port)
            let closed = await offloaded { () -> Double? in
                let start = Date()
                socket.send("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(APIHarness.token)\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n[{\"group\": ")
                // An answer on the way would not end the wait; what counts is that the connection ends in time.
                return socket.secondsUntilClosed(within: 6, from: start)
            }
            #expect(Self.inRange(closed), "closed after \(String(describing: closed)) s")
            #expect(await offloaded { Self.healthzStatus(port: port) } == 200)
        }
        // A body cut off is the client's doing: nothing at error level (which means "a bug", docs/api.md).
        let errors = log.entries.filter { $0.level >= .error }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func atTheLimitTheLongestWaitingConnectionMakesRoomAndHealthzStillAnswers() async throws {
        try await withLiveAPI({ $0.maxConnections = 4; $0.headerTimeout = 30; $0.idleTimeout = 30 }) { port in
            var idle: [RawSocket] = []
            for _ in 0..<4 {
                idle.append(try await Self.connect(port))
                try await Task.sleep(for: .milliseconds(100))  // accepted in this order
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(await offloaded { Self.healthzStatus(port: port) } == 200, "a fresh /healthz is answered at the limit")
            let oldest = idle[0]
            #expect(await offloaded { oldest.read(within: 2) } == .closed, "the connection waiting longest made room")
            let others = Array(idle.dropFirst())
            #expect(await offloaded { others.map { $0.read(within: 0.1) } } == [.timeout, .timeout, .timeout])

            // Ten times the limit in idle connections: /healthz on a fresh one still answers, and at
            // most the limit of them is still open.
            let flood = await offloaded { (0..<40).compactMap { _ in RawSocket(port: port) } }
            #expect(flood.count == 40)
            try await Task.sleep(for: .milliseconds(500))
            #expect(await offloaded { Self.healthzStatus(port: port) } == 200)
            let open = await offloaded { flood.filter { $0.read(within: 0.05) == .timeout }.count }
            #expect(open <= 4, "\(open) of the flood still open, the limit is 4")
        }
    }

    @Test func beyondTheLimitANewConnectionIsClosedAtOnceWhenEveryOneIsBusy() async throws {
        try await withLiveAPI({ $0.maxConnections = 3; $0.bodyTimeout = 30; $0.idleTimeout = 30 }) { port in
            // Three requests in progress: heads in, bodies still coming.
            var busy: [RawSocket] = []
            for _ in 0..<3 {
                let socket = try await Self.connect(port)
                let sent = await offloaded {
                    socket.send("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(APIHarness.token)\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n[")
                }
                #expect(sent)
                busy.append(socket)
            }
            // A connection is busy once the server has parsed its head; under a loaded parallel
            // suite that took more than 500 ms (the extra connection then evicted a "waiting" one).
            try await Task.sleep(for: .seconds(2))
            let extra = try await Self.connect(port)
            let (status, closed) = await offloaded { () -> (Int?, Double?) in
                let start = Date()
                extra.send(Self.healthz)
                return (extra.readResponse(within: 3)?.status, extra.secondsUntilClosed(within: 3, from: start))
            }
            #expect(status == nil, "answered beyond the limit")
            #expect(closed.map { $0 < 2 } == true, "not closed at once: \(String(describing: closed))")
            let held = busy
            #expect(await offloaded { held.map { $0.read(within: 0.1) } } == [.timeout, .timeout, .timeout],
                    "a busy connection was closed")

            // A slot freed: /healthz on a fresh connection answers again.
            busy.removeFirst().close()
            #expect(await offloaded { Self.healthzStatusOnceFreed(port: port) } == 200)
        }
    }
}
