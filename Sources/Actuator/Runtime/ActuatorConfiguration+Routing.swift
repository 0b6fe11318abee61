import Features
import Foundation
import PSMConfiguration
import TOMLKit

/// `[actuator.routing]`: which traffic router the deployed actuator drives and how it names and
/// addresses activated VMs (docs/configuration.md, docs/routing.md).
public struct RoutingConfiguration: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Nothing is routed (the operator routes by other means).
        case none
        /// HAProxy's runtime API on its admin socket (Unix or TCP).
        case haproxy
        /// A JSON event POSTed to a URL per change.
        case webhook
    }

    public var kind: Kind = .none
    /// haproxy: the admin socket (`stats socket … level admin`): a path, or `tcp://HOST:PORT`.
    public var socket: String?
    /// haproxy: the backend of a group; `{group}` is replaced by the group's name.
    package var backend = "{group}"
    /// The server name of a VM; `{domain}` (the domain name) and `{group}` are replaced.
    package var server = "{domain}"
    /// Where a VM serves: `{ip}` is the address the hypervisor reports (leases → ARP → agent,
    /// IPv4 first), `{domain}`, `{group}`, `{host}` (the hypervisor host's name) are replaced.
    /// A template without `{ip}` is static: no lookup.
    public var address = "{ip}"
    /// A port appended to an address that has none.
    public var port: Int?
    /// Seconds one router call may take (an HAProxy command, a webhook POST).
    public var timeout: Double = 2
    /// webhook: the URL events are POSTed to.
    public var url: String?
    /// webhook: the HMAC-SHA256 key of `X-PSM-Signature` (from `secret` or `secret_file`).
    package var secret: String?
    /// Seconds a draining server keeps its open sessions before it is put in maintenance anyway.
    package var drainTimeout: Int64 = 30
    /// The longest wait between two attempts at routing an active VM whose routing failed.
    package var retryMax: Int64 = 600

    public init() {}

    /// The keys `[actuator.routing]` accepts.
    static let keys = ["kind", "socket", "backend", "server", "address", "port", "timeout", "url", "secret", "secret_file",
                       "drain_timeout", "retry_max"]
    static let haproxyOnly = ["socket", "backend"]
    static let webhookOnly = ["url", "secret", "secret_file"]

    /// `value` with each `{name}` placeholder replaced; the names must be among `allowed`.
    static func placeholders(in value: String) -> [String] {
        var names: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { names.append(String(rest[open...])); break }
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = template
        for (k, v) in values { out = out.replacingOccurrences(of: "{\(k)}", with: v) }
        return out
    }

    /// Reads `[actuator.routing]` of `actuator` (absent: no routing). Secret files resolve through `resolve`.
    static func parse(_ actuator: TOMLSection, resolve: (String) -> String) throws(ConfigurationError) -> RoutingConfiguration {
        let r = try actuator.section("routing")
        var config = RoutingConfiguration()
        guard r.table != nil else { return config }
        try r.rejectUnknown(keys)
        let kindText = try r.string("kind") ?? "none"
        guard let kind = Kind(rawValue: kindText) else {
            throw r.error(.invalidValue, key: "kind", "expected \"none\", \"haproxy\" or \"webhook\", got \"\(kindText)\"")
        }
        config.kind = kind
        func present(_ key: String) -> Bool { r.table?[key] != nil }
        switch kind {
        case .none:
            if let key = keys.first(where: { $0 != "kind" && present($0) }) {
                throw r.error(.invalidValue, key: key, "kind = \"none\" routes nothing: set kind = \"haproxy\" or \"webhook\", or remove the key")
            }
            return config
        case .haproxy:
            if let key = webhookOnly.first(where: present) {
                throw r.error(.invalidValue, key: key, "applies to kind = \"webhook\" only")
            }
            guard let socket = try r.string("socket"), !socket.allSatisfy(\.isWhitespace) else {
                throw r.error(.missingKey, key: "socket", "required for kind = \"haproxy\": the path of HAProxy's admin socket (stats socket … level admin), or tcp://HOST:PORT")
            }
            if socket.hasPrefix(HAProxyRuntimeSocket.tcpPrefix) {
                guard HAProxyRuntimeSocket.hostAndPort(String(socket.dropFirst(HAProxyRuntimeSocket.tcpPrefix.count))) != nil else {
                    throw r.error(.invalidValue, key: "socket", "expected tcp://HOST:PORT (port 1…65535), got \"\(socket)\"")
                }
                config.socket = socket
            } else {
                config.socket = resolve(socket)
            }
            if let backend = try r.string("backend") {
                try checkTemplate(backend, key: "backend", allowed: ["group"], r)
                try checkName(fill(backend, ["group": "g"]), key: "backend", r)
                config.backend = backend
            }
        case .webhook:
            if let key = haproxyOnly.first(where: present) {
                throw r.error(.invalidValue, key: key, "applies to kind = \"haproxy\" only")
            }
            guard let url = try r.string("url") else {
                throw r.error(.missingKey, key: "url", "required for kind = \"webhook\": the http(s) URL events are POSTed to")
            }
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  parsed.host != nil else {
                throw r.error(.invalidValue, key: "url", "expected an absolute http or https URL, got \"\(url)\"")
            }
            config.url = url
            let secret = try r.string("secret")
            let secretFile = try r.string("secret_file")
            if secret != nil && secretFile != nil {
                throw r.error(.invalidValue, key: "secret_file", "set secret or secret_file, not both")
            }
            if let secret {
                guard !secret.isEmpty else { throw r.error(.invalidValue, key: "secret", "empty: give the HMAC key (or leave the key out)") }
                config.secret = secret
            }
            if let secretFile {
                let path = resolve(secretFile)
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw r.error(.invalidValue, key: "secret_file", "cannot read \(path)")
                }
                let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !key.isEmpty else { throw r.error(.invalidValue, key: "secret_file", "\(path) is empty") }
                config.secret = key
            }
            config.timeout = 5
        }
        if let server = try r.string("server") {
            try checkTemplate(server, key: "server", allowed: ["domain", "group"], r)
            guard server.contains("{domain}") else {
                throw r.error(.invalidValue, key: "server", "must contain {domain}: each VM needs its own server name")
            }
            if kind == .haproxy { try checkName(fill(server, ["domain": "d", "group": "g"]), key: "server", r) }
            config.server = server
        }
        if let address = try r.string("address") {
            try checkTemplate(address, key: "address", allowed: ["ip", "domain", "group", "host"], r)
            guard !address.allSatisfy(\.isWhitespace), !address.contains(where: \.isWhitespace) else {
                throw r.error(.invalidValue, key: "address", "expected an address template such as \"{ip}\" or \"{domain}.internal:8080\"")
            }
            config.address = address
        }
        config.port = try r.int("port", in: 1...65_535)
        config.timeout = try r.number("timeout", from: 0, to: 60, lowerExclusive: true) ?? config.timeout
        config.drainTimeout = Int64(try r.int("drain_timeout", in: 0...86_400) ?? 30)
        config.retryMax = Int64(try r.int("retry_max", in: 1...86_400) ?? 600)
        return config
    }

    private static func checkTemplate(_ value: String, key: String, allowed: Set<String>, _ r: TOMLSection) throws(ConfigurationError) {
        guard !value.isEmpty else { throw r.error(.invalidValue, key: key, "empty") }
        for name in placeholders(in: value) where !allowed.contains(name) {
            throw r.error(.invalidValue, key: key, "unknown placeholder {\(name)}: use \(allowed.sorted().map { "{\($0)}" }.joined(separator: ", "))")
        }
    }

    private static func checkName(_ value: String, key: String, _ r: TOMLSection) throws(ConfigurationError) {
        do { _ = try HAProxyRouter.checkedName(value, key) } catch {
            throw r.error(.invalidValue, key: key, "HAProxy names are 1–128 of A–Z a–z 0–9 - _ . : (placeholders aside)")
        }
    }

    /// The router this configuration asks for.
    package func makeRouter() throws(RoutingError) -> any TrafficRouter {
        let limit = Duration.milliseconds(Int64((timeout * 1000).rounded()))
        switch kind {
        case .none:
            return NoTrafficRouter()
        case .haproxy:
            return HAProxyRouter(socketPath: socket ?? "", backendTemplate: backend, defaultPort: port, timeout: limit)
        case .webhook:
            return try WebhookRouter(url: url ?? "", secret: secret, timeout: limit)
        }
    }
}
