import Features
import Foundation
import TimeSeries

/// One row of `psm models list`.
public struct VersionRow: Encodable, Equatable, Sendable {
    public var group: String
    public var version: String
    public var current: Bool
    public var createdAt: String
    public var kind: String?
    public var files: Int?
    public var bytes: Int?
    /// Why the manifest could not be read, when it could not.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case group, version, current, createdAt = "created_at", kind, files, bytes, error
    }
}

/// One line of `psm models verify`.
public struct VerifyResult: Encodable, Equatable, Sendable {
    public var group: String
    /// The version id, or `CURRENT` when the pointer itself is broken.
    public var version: String
    public var current: Bool
    public var ok: Bool
    public var code: String?
    public var message: String?
    public var file: String?
}

extension VersionRow {
    /// `psm models list` as a table.
    public static func table(_ rows: [VersionRow]) -> String {
        guard !rows.isEmpty else { return "no model versions" }
        let withProblems = rows.contains { $0.error != nil }
        let table = rows.map { r in
            [(r.current ? "* " : "  ") + r.group + "/" + r.version, r.createdAt, r.kind ?? "?",
             r.files.map(String.init) ?? "-", r.bytes.map(String.init) ?? "-"] + (withProblems ? [r.error ?? ""] : [])
        }
        let header = ["  group/version", "created", "kind", "files", "bytes"] + (withProblems ? ["problem"] : [])
        return Formatting.table(header: header, rows: table)
    }
}

extension VerifyResult {
    /// `psm models verify` as text, one line per version.
    public static func text(_ results: [VerifyResult]) -> String {
        guard !results.isEmpty else { return "no model versions" }
        return results.map { r in
            let name = "\(r.group)/\(r.version)\(r.current && r.version != ModelRegistry.currentName ? " (current)" : "")"
            guard !r.ok else { return "ok      \(name)" }
            return "FAILED  \(name): \(r.code ?? "?"): \(r.message ?? "")\(r.file.map { " [\($0)]" } ?? "")"
        }.joined(separator: "\n")
    }
}

/// What `psm models list`, `show` and `verify` read from a registry.
extension ModelRegistry {
    /// A version id, or a prefix matching exactly one version of `group`.
    package func resolve(_ text: String, group: String) throws(RegistryError) -> ModelVersion {
        if let exact = ModelVersion(text) { return exact }
        let matches = try versions(group: group).filter { $0.id.hasPrefix(text) }
        guard matches.count == 1, let only = matches.first, !text.isEmpty else {
            throw RegistryError(matches.isEmpty ? .versionNotFound : .invalidArgument,
                                matches.isEmpty ? "no version matches '\(text)'"
                                    : "'\(text)' matches \(matches.count) versions; give more of the id",
                                group: group)
        }
        return only
    }

    /// Every version of `groups` (all groups when empty), the current one marked, with its manifest's kind and size.
    public func listing(groups: [String]) throws(RegistryError) -> [VersionRow] {
        var rows: [VersionRow] = []
        for group in groups.isEmpty ? try self.groups() : groups {
            let current = try? self.current(group: group)
            for version in try versions(group: group) {
                var row = VersionRow(group: group, version: version.id, current: version == current,
                                     createdAt: Timestamp.format(version.createdAt))
                do throws(RegistryError) {
                    let manifest = try manifest(group: group, version: version)
                    row.kind = manifest.kind
                    row.files = manifest.files.count
                    row.bytes = manifest.files.values.reduce(0) { $0 + $1.bytes }
                } catch {
                    row.error = "\(error.code): \(error.message)"
                }
                rows.append(row)
            }
        }
        return rows
    }

    /// Verifies every version of `groups` and that each group's CURRENT names one that verifies.
    package func verifyAll(groups: [String]) throws(RegistryError) -> [VerifyResult] {
        var results: [VerifyResult] = []
        for group in groups {
            let versions = try self.versions(group: group)
            var current: ModelVersion?
            do throws(RegistryError) {
                current = try self.current(group: group)
                if current == nil {
                    if let pending = try interruptedPublish(group: group) {
                        throw RegistryError(.noCurrentVersion,
                                            "no CURRENT file: the first publish of \(pending) was interrupted before CURRENT was written; `psm models verify --repair` or the next `psm train` completes it (or rolls it back)",
                                            group: group)
                    }
                    throw RegistryError(.noCurrentVersion, "no CURRENT file", group: group)
                }
                if let current, !versions.contains(current) {
                    throw RegistryError(.versionNotFound, "CURRENT names \(current.id), which does not exist",
                                        group: group, version: current.id)
                }
            } catch {
                results.append(VerifyResult(group: group, version: ModelRegistry.currentName, current: true, ok: false,
                                            code: "\(error.code)", message: error.message, file: ModelRegistry.currentName))
            }
            for version in versions {
                var result = check(group: group, version: version)
                result.current = version == current
                results.append(result)
            }
        }
        return results
    }

    /// One version verified: ok, or the registry error's code, message and file.
    public func check(group: String, version: ModelVersion) -> VerifyResult {
        do throws(RegistryError) {
            try verify(group: group, version: version)
            return VerifyResult(group: group, version: version.id, current: false, ok: true)
        } catch {
            return VerifyResult(group: group, version: version.id, current: false, ok: false,
                                code: "\(error.code)", message: error.message, file: error.file)
        }
    }
}

extension ModelManifest {
    /// A human summary of a manifest; the untyped sections as compact JSON, cut at 300 characters.
    package func describe(group: String, version: ModelVersion, isCurrent: Bool) -> String {
        let m = self
        func compact(_ value: JSONValue) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            return text.count > 300 ? text.prefix(300) + "… (--json for all)" : text
        }
        var lines = [
            ("group", group), ("version", version.id + (isCurrent ? " (current)" : "")), ("kind", m.kind),
            ("created", Timestamp.format(m.createdAt)), ("psm version", m.psmVersion),
            ("schema", String(m.schemaVersion)),
        ]
        if let w = m.trainingWindow {
            lines.append(("training", "\(Formatting.position(w.start, axis: w.axis)), \(w.count) × \(Formatting.span(w.step, axis: w.axis))"))
        }
        if let f = m.dataFingerprint { lines.append(("fingerprint", f)) }
        if let schema = m.featureSchema {
            lines.append(("features", "\(schema.columnNames.count) columns: " + schema.columnNames.joined(separator: ", ")))
        }
        lines += [("hyper-parameters", compact(m.hyperParameters)), ("backtest", compact(m.backtestMetrics)),
                  ("calibration", compact(m.calibration)), ("selection", compact(m.selection))]
        let width = lines.map(\.0.count).max() ?? 0
        var text = lines.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
        text.append("files")
        text += m.files.sorted { $0.key < $1.key }.map { "  \($0.key)  \($0.value.bytes) bytes  sha256 \($0.value.sha256)" }
        return text.joined(separator: "\n")
    }
}
