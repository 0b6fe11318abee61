import Foundation
import MetricStore
import NIOCore
import PostgresNIO

/// A PostgreSQL store URL (`[actuator] store`): `postgres://user[:password]@host[:port]/db` over
/// TCP, or `postgres:///db?host=/socket/dir[&port=5432][&user=name]` over the server's Unix socket
/// (`<dir>/.s.PGSQL.<port>`, libpq's convention). TLS is not offered: use the socket or a loopback
/// or private network.
package struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    package var user: String
    package var password: String?
    package var database: String
    package enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case socket(path: String)
    }
    package var endpoint: Endpoint

    package init(url text: String) throws(MetricStoreError) {
        func bad(_ why: String) -> MetricStoreError {
            MetricStoreError(.cannotOpen, "store \(Self.redacted(text)) is not a PostgreSQL URL: \(why)")
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
              let url = URLComponents(string: text) else { throw bad("expected postgres://user@host:port/db or postgres:///db?host=/socket/dir") }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let unknown = Set(query.keys).subtracting(["host", "port", "user", "password"])
        guard unknown.isEmpty else { throw bad("unknown parameter(s) \(unknown.sorted().joined(separator: ", "))") }
        let name = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !name.isEmpty, !name.contains("/") else { throw bad("the database name is missing") }
        database = name
        user = url.user ?? query["user"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = url.password ?? query["password"]
        var port = url.port ?? 5432
        if url.port == nil, let p = query["port"] {
            guard let n = Int(p), (1...65535).contains(n) else { throw bad("port \(p) is not 1…65535") }
            port = n
        }
        let host = (url.host?.isEmpty == false ? url.host : nil) ?? query["host"]
        guard let host else { throw bad("no host: give user@host[:port] or ?host=/socket/dir") }
        endpoint = host.hasPrefix("/") ? .socket(path: "\(host)/.s.PGSQL.\(port)") : .tcp(host: host, port: port)
    }

    /// The URL with any password replaced, for messages and logs.
    package var description: String {
        let who = user + (password == nil ? "" : ":***")
        switch endpoint {
        case .tcp(let host, let port): return "postgres://\(who)@\(host):\(port)/\(database)"
        case .socket(let path): return "postgres:///\(database)?host=\((path as NSString).deletingLastPathComponent)&user=\(user)"
        }
    }

    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }

    func configuration(connectTimeout: TimeAmount) -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: .disable)
        case .socket(let path):
            configuration = .init(unixSocketPath: path, username: user, password: password, database: database)
        }
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }
}
