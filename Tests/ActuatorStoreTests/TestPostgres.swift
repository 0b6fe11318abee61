import Foundation
import MetricStore
import PostgresStore

/// The PostgreSQL that scripts/pg-test.sh started (PSM_TEST_POSTGRES), and private ones the
/// outage tests start and stop themselves (they must not stop the server other tests share).
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment
    /// `postgres:///psm?host=DIR&user=psm`, nil when the PostgreSQL half is not run.
    static let url: String? = environment["PSM_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static var available: Bool { url != nil }

    /// A fresh database on the shared server, migrated (one per conformance check).
    static func freshStore(timeout: Duration = .seconds(10)) throws -> PostgresStore {
        let base = try require(url)
        let name = "psm_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try PostgresStore(url: base).createDatabase(named: String(name))
        return try PostgresStore(url: base.replacingOccurrences(of: "postgres:///psm?", with: "postgres:///\(name)?"),
                                 timeout: timeout)
    }

    /// Runs a server program as the user scripts/pg-test.sh runs the server as, and waits for it.
    ///
    /// posix_spawn + waitpid, not Foundation's Process: `pg_ctl start` leaves the postmaster
    /// running with the descriptors it inherited, and Process waits for those to close.
    @discardableResult
    static func serverCommand(_ program: String, _ arguments: [String]) throws -> Int32 {
        let runAs = environment["PSM_TEST_PG_RUNAS"] ?? ""
        let argv = runAs.isEmpty ? [program] + arguments : ["/usr/sbin/runuser", "-u", runAs, "--", program] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for a in cArguments { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard rc == 0 else { throw MetricStoreError(.cannotOpen, "cannot run \(argv[0]): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

/// A PostgreSQL of a test's own: initdb into a temporary folder, started on a socket there.
final class PrivatePostgres {
    let directory: String
    let bin: String
    var url: String { "postgres:///postgres?host=\(directory)&user=psm" }

    init() throws {
        let ctl = try require(TestPostgres.environment["PSM_TEST_PG_CTL"])
        bin = (ctl as NSString).deletingLastPathComponent
        directory = "/tmp/psm-pgp." + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false,
                                                attributes: nil)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        guard try TestPostgres.serverCommand("\(bin)/initdb", ["-D", "\(directory)/data", "-U", "psm", "--auth=trust", "-E", "UTF8",
                                                               "--locale=C.UTF-8"]) == 0 else {
            throw MetricStoreError(.cannotOpen, "initdb failed in \(directory)")
        }
        let conf = "\nlisten_addresses = ''\nunix_socket_directories = '\(directory)'\nfsync = off\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/data/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(conf.utf8))
        try handle.close()
        try start()
    }

    func start() throws {
        guard try TestPostgres.serverCommand("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/log", "-w", "start"]) == 0 else {
            throw MetricStoreError(.cannotOpen, "pg_ctl start failed in \(directory)")
        }
    }

    func stop() throws {
        _ = try TestPostgres.serverCommand("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "fast", "-w", "stop"])
    }

    func destroy() {
        _ = try? TestPostgres.serverCommand("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}

func require<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw MetricStoreError(.cannotOpen, "missing \(what)") }
    return value
}
