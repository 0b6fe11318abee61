import Foundation
import MetricStore
import PostgresStore
import Testing

/// A PostgreSQL that goes away mid-cycle: calls fail with `.unavailable` within a bounded time
/// (never a crash or a hang) and the store reconnects when the server is back. Each test runs a
/// private server (PrivatePostgres) so stopping it disturbs no other test.
@Suite(.enabled(if: TestPostgres.available, "PSM_TEST_POSTGRES is unset: run through scripts/pg-test.sh"), .serialized)
struct PostgresOutageTests {
    @Test func stoppedServerFailsClearlyAndTheStoreReconnects() throws {
        let server = try PrivatePostgres()
        defer { server.destroy() }
        let store = try PostgresStore(url: server.url, timeout: .seconds(3))
        try store.upsertHost(HostRecord(name: "h1", uri: "test:///h1", capacity: CapacityAmount(vcpus: 4), updatedAt: 1))
        try server.stop()
        for call in 0..<2 {
            let started = ContinuousClock.now
            do {
                _ = try store.hostAvailability()
                Issue.record("call \(call) succeeded with the server stopped")
            } catch {
                #expect(error.code == .unavailable, "\(error)")
                #expect(error.description.contains("PostgreSQL"), "the message names the database: \(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(5), "failed within the store's timeout")
        }
        try server.start()
        #expect(try store.hostAvailability().map(\.host.name) == ["h1"])
        try store.check()
    }

    /// A server that stops answering (its backend frozen with SIGSTOP) is not waited on forever:
    /// the call fails with `.unavailable` after the store's timeout, and the next call, on a new
    /// connection, succeeds once the backend runs again.
    @Test func unansweringServerTimesOut() throws {
        let server = try PrivatePostgres()
        defer { server.destroy() }
        let store = try PostgresStore(url: server.url, timeout: .seconds(2))
        let pid = try store.backendPID()
        kill(pid_t(pid), SIGSTOP)
        let started = ContinuousClock.now
        do {
            try store.check()
            Issue.record("a frozen backend answered")
        } catch {
            #expect(error.code == .unavailable, "\(error)")
            #expect(error.message.contains("within 2"), "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        kill(pid_t(pid), SIGCONT)
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(4), "waited \(elapsed)")
        try store.check()
        #expect(try store.backendPID() != pid)
    }

    /// Opening a store whose server is down is a clear `cannotOpen`, not a hang.
    @Test func openingWithoutAServerIsCannotOpen() throws {
        let started = ContinuousClock.now
        #expect {
            _ = try PostgresStore(url: "postgres:///psm?host=/tmp/psm-no-such-dir&user=psm", timeout: .seconds(2))
        } throws: { error in
            (error as? MetricStoreError)?.code == .cannotOpen
        }
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(throws: MetricStoreError.self) { _ = try PostgresStore(url: "postgres://host") }
    }
}

/// `[actuator] store` URLs.
@Suite struct PostgresLocationTests {
    @Test func socketAndTCPFormsParse() throws {
        let socket = try PostgresLocation(url: "postgres:///psm?host=/run/pg&user=alice")
        #expect(socket.endpoint == .socket(path: "/run/pg/.s.PGSQL.5432") && socket.user == "alice" && socket.database == "psm")
        let tcp = try PostgresLocation(url: "postgres://bob:secret@db.example:6543/fleet")
        #expect(tcp.endpoint == .tcp(host: "db.example", port: 6543) && tcp.user == "bob" && tcp.password == "secret")
        #expect(!tcp.description.contains("secret"), "the password never reaches messages")
        let port = try PostgresLocation(url: "postgresql:///x?host=/s&port=5433&user=u")
        #expect(port.endpoint == .socket(path: "/s/.s.PGSQL.5433"))
    }

    @Test func badURLsAreRefusedClearly() {
        for bad in ["postgres://", "postgres://h:1/", "postgres:///db", "postgres:///db?host=/s&sslmode=x", "mysql://h/db",
                    "postgres:///db?host=/s&port=99999"] {
            #expect(throws: MetricStoreError.self, "\(bad)") { _ = try PostgresLocation(url: bad) }
        }
    }
}
