import Foundation
import Testing
@testable import ModelRegistry

/// A fresh temporary registry root per test, removed by `cleanUp()`.
struct Scratch {
    let root: URL
    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory() + "psm-registry-" + UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    func cleanUp() { try? FileManager.default.removeItem(at: root) }

    func path(_ parts: String...) -> String { ([root.path] + parts).joined(separator: "/") }
}

/// A clock tests move by hand (the registry stamps version ids with it).
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double
    init(_ iso: String) { seconds = Double(ModelVersion("\(iso)-00000000")?.createdAt ?? 0) }
    func now() -> Date { lock.withLock { Date(timeIntervalSince1970: seconds) } }
    func advance(_ delta: Double) { lock.withLock { seconds += delta } }
}

extension ModelRegistry {
    init(root: URL, clock: ManualClock) { self.init(root: root, now: { clock.now() }) }
}

/// Publishes a small model whose parameter bytes follow from `seed`.
@discardableResult
func publishSample(_ registry: ModelRegistry, group: String = "web", seed: Int, files: Int = 2) throws -> ModelVersion {
    try registry.publish(group: group, manifest: ModelManifest(kind: "sample", hyperParameters: ["seed": .number(Double(seed))]),
                         files: sampleFiles(seed: seed, count: files))
}

func sampleFiles(seed: Int, count: Int = 2) -> [String: Data] {
    Dictionary(uniqueKeysWithValues: (0..<count).map { f in
        ("p\(f).bin", Data((0..<(100 + 37 * f)).map { UInt8(truncatingIfNeeded: $0 * 7 + seed + f) }))
    })
}

/// SHA-256 hex of a file by the coreutils `sha256sum` binary: a reference independent of swift-crypto.
func referenceSHA256(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}

/// Expects `body` to throw a `RegistryError` and returns it.
func registryError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> RegistryError? {
    do {
        try body()
        Issue.record("expected a RegistryError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as RegistryError {
        return error
    } catch {
        Issue.record("expected a RegistryError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Overwrites a file in place (tests simulate corruption or hand edits).
func overwrite(_ path: String, _ data: Data) throws {
    try data.write(to: URL(fileURLWithPath: path))
}
