import Foundation
import PSMConfiguration

/// A configuration the API refuses to start with, said in terms of the setting to fix.
public struct APIConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where the API listens and what it allows (docs/api.md; the `[api]` table of docs/configuration.md).
///
/// psm-actuator reads it with `APIConfiguration.load(path:)` (APIConfiguration+TOML.swift), which
/// names the file, section and key of a problem. Also Decodable from the `[api]` table with
/// snake_case keys (unknown keys refused); every key is optional. Not Encodable, so the tokens are
/// never written out by accident.
public struct APIConfiguration: Sendable, Hashable, Decodable {
    /// Listen address: an IPv4/IPv6 literal or a host name (`--listen HOST:PORT`).
    public var host: String
    public var port: Int
    /// Bearer tokens that may call the API (any one of them). `PSM_API_TOKEN` adds more.
    package var tokens: [String]
    /// Largest request body in bytes; larger ones get 413 before they are read.
    public var maxBodyBytes: Int
    /// Sustained writes (POST) per second allowed per token, and the burst above it (token bucket).
    public var writeRatePerSecond: Double
    public var writeBurst: Int
    /// Most samples one `POST /v1/metrics` may carry.
    package var maxSamplesPerRequest: Int
    /// Whether `GET /metrics` needs a token too (`/healthz` never does: probes carry no secrets).
    package var metricsRequireToken: Bool
    /// Serve without any token (only for a loopback test setup; refused unless set explicitly).
    package var allowUnauthenticated: Bool
    /// Also allow serving without a token on an address other than loopback (0.0.0.0, a LAN
    /// address, a host name): a second, deliberate switch on top of `allowUnauthenticated`.
    package var allowUnauthenticatedRemote: Bool
    /// Seconds a connection may stay open without a request in progress and without reading a
    /// request part (keep-alive between requests).
    package var idleTimeout: Double
    /// Seconds a client has to send a complete request head: from the accept on a new connection,
    /// from the first byte of the next request on a kept-alive one (cuts off a slowloris).
    package var headerTimeout: Double
    /// Seconds a client has to send the whole body once the head is in.
    package var bodyTimeout: Double
    /// Most connections open at once; beyond it the connection that has waited longest without a
    /// request in progress is closed to make room, or, when every one is busy, the new one is.
    package var maxConnections: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, tokens: [String] = [], maxBodyBytes: Int = 64 * 1024,
                writeRatePerSecond: Double = 50, writeBurst: Int = 100, maxSamplesPerRequest: Int = 10_000,
                metricsRequireToken: Bool = false, allowUnauthenticated: Bool = false,
                allowUnauthenticatedRemote: Bool = false, idleTimeout: Double = 60, headerTimeout: Double = 10,
                bodyTimeout: Double = 30, maxConnections: Int = 4096) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.writeRatePerSecond = writeRatePerSecond
        self.writeBurst = writeBurst
        self.maxSamplesPerRequest = maxSamplesPerRequest
        self.metricsRequireToken = metricsRequireToken
        self.allowUnauthenticated = allowUnauthenticated
        self.allowUnauthenticatedRemote = allowUnauthenticatedRemote
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }

    /// The allowed range of every numeric `[api]` key (docs/configuration.md), checked by
    /// `validate()` and by the TOML loader.
    package enum Ranges {
        public static let maxBodyBytes: ClosedRange<Int> = 1024...(64 * 1024 * 1024)
        public static let writeRate: ClosedRange<Double> = 0.001...1_000_000
        public static let writeBurst: ClosedRange<Int> = 1...1_000_000
        package static let maxSamplesPerRequest: ClosedRange<Int> = 1...1_000_000
        package static let idleTimeout: ClosedRange<Double> = 0.1...86_400
        package static let headerTimeout: ClosedRange<Double> = 0.1...3_600
        package static let bodyTimeout: ClosedRange<Double> = 0.1...3_600
        package static let maxConnections: ClosedRange<Int> = 1...1_000_000
    }

    /// Every key of the `[api]` table.
    public static let keys = CodingKeys.allCases.map(\.rawValue)

    /// The environment variable whose value (one token, or several separated by commas) is added
    /// to `tokens`.
    package static let tokenEnvironmentVariable = "PSM_API_TOKEN"

    /// Whether the API serves without authentication (no token configured).
    package var isUnauthenticated: Bool { tokens.isEmpty }

    /// Whether `host` names the loopback interface only: `localhost`, 127.0.0.0/8, `::1` (also
    /// IPv4-mapped). Any other name or address — `0.0.0.0`, `::`, a LAN address, a host name — may
    /// be reachable from elsewhere.
    package static func isLoopback(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        if h.hasPrefix("::ffff:") { h = String(h.dropFirst("::ffff:".count)) }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil })
        else { return false }
        return octets[0] == "127"
    }

    /// Adds the tokens of `PSM_API_TOKEN` in `environment` (comma-separated, blanks trimmed).
    public mutating func addTokens(fromEnvironment environment: [String: String]) {
        guard let value = environment[Self.tokenEnvironmentVariable] else { return }
        for token in value.split(separator: ",") {
            let trimmed = token.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !tokens.contains(trimmed) { tokens.append(trimmed) }
        }
    }

    /// Sets host and port from `HOST:PORT` (`[V6]:PORT` for IPv6; `:PORT` keeps the host).
    public mutating func setListen(_ value: String) throws(APIConfigurationError) {
        let (host, port) = try Self.parseListen(value)
        if let host { self.host = host }
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (host nil).
    package static func parseListen(_ value: String) throws(APIConfigurationError) -> (host: String?, port: Int) {
        let hostPart: Substring
        let portPart: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value[value.index(after: close)...].hasPrefix(":") else {
                throw APIConfigurationError("--listen '\(value)': expected [IPV6]:PORT")
            }
            hostPart = value[value.index(after: value.startIndex)..<close]
            portPart = value[value.index(close, offsetBy: 2)...]
        } else {
            guard let colon = value.lastIndex(of: ":") else {
                throw APIConfigurationError("--listen '\(value)': expected HOST:PORT (e.g. 127.0.0.1:8080)")
            }
            hostPart = value[..<colon]
            portPart = value[value.index(after: colon)...]
            if hostPart.contains(":") {
                throw APIConfigurationError("--listen '\(value)': write an IPv6 address in brackets, [::1]:8080")
            }
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw APIConfigurationError("--listen '\(value)': the port must be a number from 0 to 65535")
        }
        if hostPart.contains(where: { $0.isWhitespace }) {
            throw APIConfigurationError("--listen '\(value)': the host contains whitespace")
        }
        return (hostPart.isEmpty ? nil : String(hostPart), port)
    }

    /// Refuses settings the server cannot honour, naming the key (`api.…`) to fix.
    public func validate() throws(APIConfigurationError) {
        if tokens.isEmpty && !allowUnauthenticated {
            throw APIConfigurationError(
                "no API token: set api.tokens in the configuration or \(Self.tokenEnvironmentVariable) in the environment")
        }
        if tokens.isEmpty && !Self.isLoopback(host) && !allowUnauthenticatedRemote {
            throw APIConfigurationError(
                "api.allow_unauthenticated serves every route without a token, and \(host):\(port) is not a loopback address: "
                + "set a token (api.tokens or \(Self.tokenEnvironmentVariable)), listen on 127.0.0.1, "
                + "or set api.allow_unauthenticated_remote = true as well to serve it unauthenticated to the network")
        }
        if tokens.contains(where: { $0.count < 16 || $0.contains(where: { $0.isWhitespace || !$0.isASCII }) }) {
            throw APIConfigurationError("an API token must be at least 16 printable ASCII characters without spaces")
        }
        guard (0...65535).contains(port) else { throw APIConfigurationError("api.listen: port \(port) is out of range") }
        try Self.check("max_body_bytes", maxBodyBytes, Ranges.maxBodyBytes, unit: "bytes")
        try Self.check("write_rate", writeRatePerSecond, Ranges.writeRate, unit: "writes per second")
        try Self.check("write_burst", writeBurst, Ranges.writeBurst, unit: "writes")
        try Self.check("max_samples_per_request", maxSamplesPerRequest, Ranges.maxSamplesPerRequest, unit: "samples")
        try Self.check("idle_timeout", idleTimeout, Ranges.idleTimeout, unit: "seconds")
        try Self.check("header_timeout", headerTimeout, Ranges.headerTimeout, unit: "seconds")
        try Self.check("body_timeout", bodyTimeout, Ranges.bodyTimeout, unit: "seconds")
        try Self.check("max_connections", maxConnections, Ranges.maxConnections, unit: "connections")
    }

    /// What a range reads as in a message: "from 1024 to 67108864 bytes".
    static func describe<T: Comparable>(_ range: ClosedRange<T>, unit: String) -> String {
        "from \(shown(range.lowerBound)) to \(shown(range.upperBound)) \(unit)"
    }

    static func shown<T>(_ value: T) -> String {
        if let d = value as? Double, d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(value)"
    }

    static func check(_ key: String, _ value: Int, _ range: ClosedRange<Int>, unit: String) throws(APIConfigurationError) {
        guard range.contains(value) else {
            throw APIConfigurationError("api.\(key) must be \(describe(range, unit: unit)), not \(value)")
        }
    }

    static func check(_ key: String, _ value: Double, _ range: ClosedRange<Double>, unit: String) throws(APIConfigurationError) {
        guard value.isFinite, range.contains(value) else {
            throw APIConfigurationError("api.\(key) must be a finite number \(describe(range, unit: unit)), not \(shown(value))")
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, tokens
        case maxBodyBytes = "max_body_bytes"
        case writeRatePerSecond = "write_rate"
        case writeBurst = "write_burst"
        case maxSamplesPerRequest = "max_samples_per_request"
        case metricsRequireToken = "metrics_require_token"
        case allowUnauthenticated = "allow_unauthenticated"
        case allowUnauthenticatedRemote = "allow_unauthenticated_remote"
        case idleTimeout = "idle_timeout"
        case headerTimeout = "header_timeout"
        case bodyTimeout = "body_timeout"
        case maxConnections = "max_connections"
    }

    public init(from decoder: any Decoder) throws {
        // A misspelt key (`metrics_require_tokens`) would otherwise leave its setting at the default.
        let all = try decoder.container(keyedBy: AnyKey.self)
        for key in all.allKeys.map(\.stringValue).sorted() where CodingKeys(rawValue: key) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey(stringValue: key), in: all,
                debugDescription: "unknown key '\(key)' in [api] (expected one of: \(Self.keys.joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        if let listen = try c.decodeIfPresent(String.self, forKey: .listen) {
            do { try setListen(listen) } catch {
                throw DecodingError.dataCorruptedError(forKey: .listen, in: c, debugDescription: error.message)
            }
        }
        // TOML keeps integers and floats apart: `write_rate = 100` must read as 100.0.
        func number(_ key: CodingKeys, _ current: Double) throws -> Double {
            if let whole = try? c.decodeIfPresent(Int.self, forKey: key) { return Double(whole) }
            return try c.decodeIfPresent(Double.self, forKey: key) ?? current
        }
        tokens = try c.decodeIfPresent([String].self, forKey: .tokens) ?? tokens
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? maxBodyBytes
        writeRatePerSecond = try number(.writeRatePerSecond, writeRatePerSecond)
        writeBurst = try c.decodeIfPresent(Int.self, forKey: .writeBurst) ?? writeBurst
        maxSamplesPerRequest = try c.decodeIfPresent(Int.self, forKey: .maxSamplesPerRequest) ?? maxSamplesPerRequest
        metricsRequireToken = try c.decodeIfPresent(Bool.self, forKey: .metricsRequireToken) ?? metricsRequireToken
        allowUnauthenticated = try c.decodeIfPresent(Bool.self, forKey: .allowUnauthenticated) ?? allowUnauthenticated
        allowUnauthenticatedRemote = try c.decodeIfPresent(Bool.self, forKey: .allowUnauthenticatedRemote)
            ?? allowUnauthenticatedRemote
        idleTimeout = try number(.idleTimeout, idleTimeout)
        headerTimeout = try number(.headerTimeout, headerTimeout)
        bodyTimeout = try number(.bodyTimeout, bodyTimeout)
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? maxConnections
    }
}
