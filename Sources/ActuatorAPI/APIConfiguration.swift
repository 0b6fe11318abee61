import Foundation

/// A configuration the API refuses to start with, said in terms of the setting to fix.
public struct APIConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where the API listens and what it allows (docs/api.md; the `[api]` table of docs/configuration.md).
///
/// Decodable from the `[api]` table with snake_case keys; every key is optional. Not Encodable, so
/// the tokens are never written out by accident.
public struct APIConfiguration: Sendable, Hashable, Decodable {
    /// Listen address: an IPv4/IPv6 literal or a host name (`--listen HOST:PORT`).
    public var host: String
    public var port: Int
    /// Bearer tokens that may call the API (any one of them). `PSM_API_TOKEN` adds more.
    public var tokens: [String]
    /// Largest request body in bytes; larger ones get 413 before they are read.
    public var maxBodyBytes: Int
    /// Sustained writes (POST) per second allowed per token, and the burst above it (token bucket).
    public var writeRatePerSecond: Double
    public var writeBurst: Int
    /// Most samples one `POST /v1/metrics` may carry.
    public var maxSamplesPerRequest: Int
    /// Whether `GET /metrics` needs a token too (`/healthz` never does: probes carry no secrets).
    public var metricsRequireToken: Bool
    /// Serve without any token (only for a loopback test setup; refused unless set explicitly).
    public var allowUnauthenticated: Bool

    public init(host: String = "127.0.0.1", port: Int = 8080, tokens: [String] = [], maxBodyBytes: Int = 64 * 1024,
                writeRatePerSecond: Double = 50, writeBurst: Int = 100, maxSamplesPerRequest: Int = 10_000,
                metricsRequireToken: Bool = false, allowUnauthenticated: Bool = false) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.writeRatePerSecond = writeRatePerSecond
        self.writeBurst = writeBurst
        self.maxSamplesPerRequest = maxSamplesPerRequest
        self.metricsRequireToken = metricsRequireToken
        self.allowUnauthenticated = allowUnauthenticated
    }

    /// The environment variable whose value (one token, or several separated by commas) is added
    /// to `tokens`.
    public static let tokenEnvironmentVariable = "PSM_API_TOKEN"

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
    public static func parseListen(_ value: String) throws(APIConfigurationError) -> (host: String?, port: Int) {
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

    /// Refuses settings the server cannot honour.
    public func validate() throws(APIConfigurationError) {
        if tokens.isEmpty && !allowUnauthenticated {
            throw APIConfigurationError(
                "no API token: set api.tokens in the configuration or \(Self.tokenEnvironmentVariable) in the environment")
        }
        if tokens.contains(where: { $0.count < 16 || $0.contains(where: { $0.isWhitespace || !$0.isASCII }) }) {
            throw APIConfigurationError("an API token must be at least 16 printable ASCII characters without spaces")
        }
        guard (0...65535).contains(port) else { throw APIConfigurationError("api.listen: port \(port) is out of range") }
        guard maxBodyBytes >= 1024, maxBodyBytes <= 64 * 1024 * 1024 else {
            throw APIConfigurationError("api.max_body_bytes must be from 1024 to 67108864, not \(maxBodyBytes)")
        }
        guard writeRatePerSecond.isFinite, writeRatePerSecond > 0 else {
            throw APIConfigurationError("api.write_rate must be a positive number of requests per second")
        }
        guard writeBurst >= 1 else { throw APIConfigurationError("api.write_burst must be at least 1") }
        guard maxSamplesPerRequest >= 1 else { throw APIConfigurationError("api.max_samples_per_request must be at least 1") }
    }

    enum CodingKeys: String, CodingKey {
        case listen, tokens
        case maxBodyBytes = "max_body_bytes"
        case writeRatePerSecond = "write_rate"
        case writeBurst = "write_burst"
        case maxSamplesPerRequest = "max_samples_per_request"
        case metricsRequireToken = "metrics_require_token"
        case allowUnauthenticated = "allow_unauthenticated"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        if let listen = try c.decodeIfPresent(String.self, forKey: .listen) {
            do { try setListen(listen) } catch {
                throw DecodingError.dataCorruptedError(forKey: .listen, in: c, debugDescription: error.message)
            }
        }
        tokens = try c.decodeIfPresent([String].self, forKey: .tokens) ?? tokens
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? maxBodyBytes
        // TOML keeps integers and floats apart: `write_rate = 100` must read as 100.0.
        if let whole = try? c.decodeIfPresent(Int.self, forKey: .writeRatePerSecond) {
            writeRatePerSecond = Double(whole)
        } else {
            writeRatePerSecond = try c.decodeIfPresent(Double.self, forKey: .writeRatePerSecond) ?? writeRatePerSecond
        }
        writeBurst = try c.decodeIfPresent(Int.self, forKey: .writeBurst) ?? writeBurst
        maxSamplesPerRequest = try c.decodeIfPresent(Int.self, forKey: .maxSamplesPerRequest) ?? maxSamplesPerRequest
        metricsRequireToken = try c.decodeIfPresent(Bool.self, forKey: .metricsRequireToken) ?? metricsRequireToken
        allowUnauthenticated = try c.decodeIfPresent(Bool.self, forKey: .allowUnauthenticated) ?? allowUnauthenticated
    }
}
