import Features
import Foundation
import PSMConfiguration

extension APIConfiguration {
    /// Reads the `[api]` section of a psm.toml: nil when the file has none. Every problem — the
    /// file cannot be read, a syntax error, an unknown key (a misspelt `metrics_require_token`
    /// would otherwise leave `/metrics` open), a wrong type, a number out of its range — is a
    /// `ConfigurationError` naming the file, `[api]` and the key.
    public static func load(path: String) throws(ConfigurationError) -> APIConfiguration? {
        try read(PSMFile.read(path))
    }

    /// `load(path:)` on the text of a file.
    public static func parse(_ text: String, fileName: String) throws(ConfigurationError) -> APIConfiguration? {
        try read(PSMFile(text: text, file: fileName))
    }

    static func read(_ file: PSMFile) throws(ConfigurationError) -> APIConfiguration? {
        let section = try file.root.section("api")
        guard section.table != nil else { return nil }
        return try APIConfiguration(section: section)
    }

    /// The `[api]` table read through `TOMLSection`: unknown keys refused, every number checked
    /// against `Ranges`. Token rules and the unauthenticated-remote rule are `validate()`'s (they
    /// depend on `--listen` and `PSM_API_TOKEN` too).
    public init(section s: TOMLSection) throws(ConfigurationError) {
        try s.rejectUnknown(Self.keys)
        self.init()
        if let listen = try s.string("listen") {
            do { try setListen(listen) } catch { throw s.error(.invalidValue, key: "listen", error.message) }
        }
        tokens = try s.strings("tokens") ?? tokens
        maxBodyBytes = try s.int("max_body_bytes", in: Ranges.maxBodyBytes) ?? maxBodyBytes
        writeRatePerSecond = try Self.number(s, "write_rate", Ranges.writeRate) ?? writeRatePerSecond
        writeBurst = try s.int("write_burst", in: Ranges.writeBurst) ?? writeBurst
        maxSamplesPerRequest = try s.int("max_samples_per_request", in: Ranges.maxSamplesPerRequest) ?? maxSamplesPerRequest
        metricsRequireToken = try s.bool("metrics_require_token") ?? metricsRequireToken
        allowUnauthenticated = try s.bool("allow_unauthenticated") ?? allowUnauthenticated
        allowUnauthenticatedRemote = try s.bool("allow_unauthenticated_remote") ?? allowUnauthenticatedRemote
        idleTimeout = try Self.number(s, "idle_timeout", Ranges.idleTimeout) ?? idleTimeout
        headerTimeout = try Self.number(s, "header_timeout", Ranges.headerTimeout) ?? headerTimeout
        bodyTimeout = try Self.number(s, "body_timeout", Ranges.bodyTimeout) ?? bodyTimeout
        maxConnections = try s.int("max_connections", in: Ranges.maxConnections) ?? maxConnections
    }

    /// A finite number within `range` (`TOMLSection.number(_:from:to:)` with the range of `Ranges`).
    static func number(_ s: TOMLSection, _ key: String, _ range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        try s.number(key, from: range.lowerBound, to: range.upperBound)
    }
}
