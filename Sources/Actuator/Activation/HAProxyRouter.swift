import Foundation

/// A server of an HAProxy backend as `show servers state` reports it.
package struct HAProxyServerState: Sendable, Hashable {
    package var name: String
    package var address: String
    package var port: Int?
    /// srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping.
    package var operationalState: Int
    /// srv_admin_state flags: 0x01 forced maintenance, 0x02 inherited, 0x04 declared `disabled` in
    /// the configuration (a marker kept after `state ready`), 0x08 forced drain, 0x20 resolution,
    /// 0x40 health-check maintenance.
    package var adminState: Int
    /// The configured (user) weight.
    package var weight: Int

    /// Whether the server takes traffic: running and in no kind of maintenance.
    package var isUp: Bool { operationalState == 2 && !inMaintenance }
    /// Whether the server is in maintenance (HAProxy's mask: forced, inherited, resolution, health).
    package var inMaintenance: Bool { adminState & 0x63 != 0 }
}

/// Routes traffic through HAProxy's runtime API on its admin Unix socket (docs/routing.md).
///
/// Each group is a backend (`backendPrefix` + group name); each VM a server named after its
/// domain. `enable` uses a server the configuration pre-declared under that name (a slot), or adds
/// it at run time (`add server`, HAProxy ≥ 2.5) when there is none, then sets its address, weight
/// and state `ready`. `disable` puts it in maintenance; a server this router added is then deleted
/// (`del server`), while a pre-declared slot stays, with its configured options, for the next
/// enable. (A server added by an earlier actuator process stays in maintenance — no traffic —
/// until HAProxy reloads its configuration.) Every step is idempotent, so a retried activation or
/// decommission repeats them safely.
/// Any answer HAProxy gives that is not a success becomes a `RoutingError` carrying its text.
package struct HAProxyRouter: TrafficRouter {
    package var name: String { "haproxy" }
    package let socketPath: String
    package let backendPrefix: String
    /// The backend of a group: `{group}` replaced by the group's name (default: `backendPrefix{group}`).
    package let backendTemplate: String
    /// Port used when a target's address has none (nil: HAProxy's default, the client's port).
    package let defaultPort: Int?
    private let socket: HAProxyRuntimeSocket
    /// `backend/server` of the servers this router added at run time.
    private let added = AddedServers()

    package init(socketPath: String, backendPrefix: String = "", backendTemplate: String? = nil, defaultPort: Int? = nil,
                timeout: Duration = .seconds(2)) {
        self.socketPath = socketPath
        self.backendPrefix = backendPrefix
        self.backendTemplate = backendTemplate ?? backendPrefix + "{group}"
        self.defaultPort = defaultPort
        self.socket = HAProxyRuntimeSocket(path: socketPath, timeout: timeout)
    }

    package func enable(_ target: RouteTarget) async throws(RoutingError) {
        let backend = try Self.checkedName(backend(of: target.group), "backend")
        let server = try Self.checkedName(target.server, "server")
        guard (0...256).contains(target.weight) else {
            throw RoutingError(router: name, "weight \(target.weight) of \(backend)/\(server) is outside 0…256")
        }
        let endpoint = try target.address.map { a throws(RoutingError) in try Self.parseAddress(a) }
        let port = endpoint?.port ?? defaultPort

        if try await state(backend: backend, server: server) == nil {
            guard let endpoint else {
                throw RoutingError(router: name, "\(backend)/\(server) is not declared and the target has no address to add it with")
            }
            let answer = try await command("add server \(backend)/\(server) \(Self.render(endpoint.host, port)) weight \(target.weight)")
            // Another actuator (or a retry) added it meanwhile: fall through to setting it.
            if !answer.contains("Already exists") {
                try expectSuccess(answer, "add server \(backend)/\(server)")
                added.insert("\(backend)/\(server)")
            }
        }
        if let endpoint {
            let portPart = port.map { " port \($0)" } ?? ""
            try expectSuccess(try await command("set server \(backend)/\(server) addr \(endpoint.host)\(portPart)"),
                              "set server \(backend)/\(server) addr")
        }
        try expectSuccess(try await command("set server \(backend)/\(server) weight \(target.weight)"),
                          "set server \(backend)/\(server) weight")
        try expectSuccess(try await command("set server \(backend)/\(server) state ready"),
                          "set server \(backend)/\(server) state ready")
    }

    package func disable(group: String, server: String) async throws(RoutingError) {
        let backend = try Self.checkedName(backend(of: group), "backend")
        let server = try Self.checkedName(server, "server")
        guard try await state(backend: backend, server: server) != nil else { return }  // already gone
        try expectSuccess(try await command("set server \(backend)/\(server) state maint"),
                          "set server \(backend)/\(server) state maint")
        guard added.contains("\(backend)/\(server)") else { return }
        // A server that still has connections cannot go yet: it stays in maintenance (no new
        // traffic) and a later disable removes it.
        let answer = try await command("del server \(backend)/\(server)")
        if answer.contains("still has connections") { return }
        if !answer.contains("No such server") { try expectSuccess(answer, "del server \(backend)/\(server)") }
        added.remove("\(backend)/\(server)")
    }

    /// `set server … state drain`: no new sessions, open ones go on (nothing when it is not there).
    package func drain(group: String, server: String) async throws(RoutingError) {
        let backend = try Self.checkedName(backend(of: group), "backend")
        let server = try Self.checkedName(server, "server")
        guard try await state(backend: backend, server: server) != nil else { return }
        try expectSuccess(try await command("set server \(backend)/\(server) state drain"),
                          "set server \(backend)/\(server) state drain")
    }

    /// The server's current sessions (`scur` of `show stat`); 0 when it is not there.
    package func openSessions(group: String, server: String) async throws(RoutingError) -> Int? {
        let backend = try Self.checkedName(backend(of: group), "backend")
        let server = try Self.checkedName(server, "server")
        let answer = try await command("show stat \(backend) 4 -1")
        guard let rows = Self.parseStat(answer) else {
            throw RoutingError(router: name, "show stat \(backend): \(Self.trimmed(answer))")
        }
        return rows.first { $0.proxy == backend && $0.server == server }?.sessions ?? 0
    }

    /// The group's servers that are up (running, in no maintenance).
    package func enabledServers(group: String) async throws(RoutingError) -> [String]? {
        try await servers(group: group).filter(\.isUp).map(\.name)
    }

    /// The backend name of `group`.
    package func backend(of group: String) -> String {
        backendTemplate.replacingOccurrences(of: "{group}", with: group)
    }

    /// Parses `show stat`'s CSV (`# pxname,svname,qcur,qmax,scur,…`): each row's proxy, server
    /// and current sessions. Nil when the answer is not such a table.
    static func parseStat(_ answer: String) -> [(proxy: String, server: String, sessions: Int)]? {
        let lines = answer.split(separator: "\n").map { $0.trimmingWhitespace }
        guard let header = lines.first(where: { $0.hasPrefix("#") }) else { return nil }
        let columns = header.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let px = columns.firstIndex(of: "pxname"), let sv = columns.firstIndex(of: "svname"),
              let scur = columns.firstIndex(of: "scur") else { return nil }
        var rows: [(proxy: String, server: String, sessions: Int)] = []
        for line in lines where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > max(px, sv, scur) else { continue }
            rows.append((String(fields[px]), String(fields[sv]), Int(fields[scur]) ?? 0))
        }
        return rows
    }

    /// The servers of a group's backend as HAProxy reports them.
    package func servers(group: String) async throws(RoutingError) -> [HAProxyServerState] {
        try await servers(backend: try Self.checkedName(backend(of: group), "backend"))
    }

    // MARK: - Runtime API

    private func state(backend: String, server: String) async throws(RoutingError) -> HAProxyServerState? {
        try await servers(backend: backend).first { $0.name == server }
    }

    private func servers(backend: String) async throws(RoutingError) -> [HAProxyServerState] {
        let answer = try await command("show servers state \(backend)")
        guard let states = Self.parseServersState(answer) else {
            throw RoutingError(router: name, "show servers state \(backend): \(Self.trimmed(answer))")
        }
        return states
    }

    private func command(_ line: String) async throws(RoutingError) -> String {
        try await socket.send(line)
    }

    /// Success is an empty answer or one of HAProxy's confirmations; anything else is its error text.
    private func expectSuccess(_ answer: String, _ what: String) throws(RoutingError) {
        let text = Self.trimmed(answer)
        let confirmations = ["IP changed", "no need to change", "port changed", "New server registered", "Server deleted"]
        guard text.isEmpty || confirmations.contains(where: text.hasPrefix) else {
            throw RoutingError(router: name, "\(what) on \(socketPath): \(text)")
        }
    }

    static func trimmed(_ s: String) -> String {
        var t = Substring(s)
        while let last = t.last, last.isWhitespace { t.removeLast() }
        while let first = t.first, first.isWhitespace { t.removeFirst() }
        return String(t.prefix(500))
    }

    /// Parses `show servers state`: a version line, a `# name…` header, one line per server.
    /// Nil when the answer is not such a table (e.g. "Can't find backend.").
    static func parseServersState(_ answer: String) -> [HAProxyServerState]? {
        let lines = answer.split(separator: "\n").map { $0.trimmingWhitespace }
        guard let headerIndex = lines.firstIndex(where: { $0.hasPrefix("#") }) else { return nil }
        let columns = lines[headerIndex].dropFirst().split(separator: " ").map(String.init)
        func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
        guard let nameColumn = column("srv_name"), let addressColumn = column("srv_addr"),
              let opColumn = column("srv_op_state"), let adminColumn = column("srv_admin_state"),
              let weightColumn = column("srv_uweight") else { return nil }
        let portColumn = column("srv_port")
        var result: [HAProxyServerState] = []
        for line in lines[(headerIndex + 1)...] where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > max(nameColumn, addressColumn, opColumn, adminColumn, weightColumn),
                  let op = Int(fields[opColumn]), let admin = Int(fields[adminColumn]),
                  let weight = Int(fields[weightColumn]) else { continue }
            let port = portColumn.flatMap { $0 < fields.count ? Int(fields[$0]) : nil }
            result.append(HAProxyServerState(name: fields[nameColumn], address: fields[addressColumn], port: port,
                                             operationalState: op, adminState: admin, weight: weight))
        }
        return result
    }

    /// A name HAProxy accepts and the line protocol cannot misread: letters, digits, '-', '_', '.', ':'.
    static func checkedName(_ value: String, _ what: String) throws(RoutingError) -> String {
        guard !value.isEmpty, value.utf8.count <= 128, value.unicodeScalars.allSatisfy({ s in
            switch s {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", ":": return true
            default: return false
            }
        }) else {
            throw RoutingError(router: "haproxy", "\(what) name '\(value.prefix(128))' must be 1–128 of A–Z a–z 0–9 - _ . :")
        }
        return value
    }

    /// `ip`, `ip:port`, `[ipv6]:port` or a bare IPv6 address; the host must be an IP literal
    /// (`set server … addr` does not resolve names).
    static func parseAddress(_ value: String) throws(RoutingError) -> (host: String, port: Int?) {
        var host = Substring(value)
        var portText: Substring? = nil
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else {
                throw RoutingError(router: "haproxy", "address '\(value)': missing ']'")
            }
            host = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw RoutingError(router: "haproxy", "address '\(value)': expected [IPV6]:PORT") }
                portText = rest.dropFirst()
            }
        } else if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") {
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
        }
        let isIPv4 = host.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { UInt8($0) != nil }
        let isIPv6 = host.contains(":") && host.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }
        guard isIPv4 || isIPv6 else {
            throw RoutingError(router: "haproxy", "address '\(value)': the host must be an IPv4 or IPv6 literal")
        }
        var port: Int? = nil
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw RoutingError(router: "haproxy", "address '\(value)': the port must be 1…65535")
            }
            port = p
        }
        return (String(host), port)
    }

    static func render(_ host: String, _ port: Int?) -> String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }
}

/// The servers a router added, shared by its copies (it is a value type).
private final class AddedServers: @unchecked Sendable {
    private let lock = NSLock()
    private var names: Set<String> = []
    func insert(_ name: String) { lock.withLock { _ = names.insert(name) } }
    func remove(_ name: String) { lock.withLock { _ = names.remove(name) } }
    func contains(_ name: String) -> Bool { lock.withLock { names.contains(name) } }
}

fileprivate extension Substring {
    var trimmingWhitespace: Substring {
        var t = self
        while let last = t.last, last.isWhitespace { t.removeLast() }
        while let first = t.first, first.isWhitespace { t.removeFirst() }
        return t
    }
}
