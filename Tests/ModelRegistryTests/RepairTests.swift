import Foundation
import Testing
@testable import ModelRegistry

/// `repairInterruptedPublish` acts on what a killed first publish leaves, and on nothing else.
@Suite struct RepairTests {
    @Test func aStagedVersionIsNotPutInService() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        try registry.publish(group: "web", manifest: ModelManifest(kind: "sample"), files: [:], makeCurrent: false)
        #expect(try registry.repairInterruptedPublish(group: "web") == nil)
        #expect(try registry.current(group: "web") == nil)
        #expect(try registry.interruptedPublish(group: "web") == nil)
    }

    @Test func aMarkerWhoseVersionNeverAppearedIsRolledBack() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        try FileManager.default.createDirectory(atPath: scratch.path("web"), withIntermediateDirectories: true)
        let id = "20261205T140000Z-0123abcd"
        try Data((id + "\n").utf8).write(to: URL(fileURLWithPath: scratch.path("web", ModelRegistry.firstPublishName)))
        #expect(try registry.interruptedPublish(group: "web") == id)
        let repair = try #require(try registry.repairInterruptedPublish(group: "web"))
        #expect(repair.outcome == .rolledBack && repair.version == id)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("web", ModelRegistry.firstPublishName)))
        #expect(try registry.current(group: "web") == nil)
    }

    @Test func aCompletedPublishLeavesNoMarker() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let version = try registry.publish(group: "web", manifest: ModelManifest(kind: "sample"), files: ["a.bin": Data([1])])
        #expect(try registry.current(group: "web") == version)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("web", ModelRegistry.firstPublishName)))
    }
}

/// Reports and other outputs: unique names per run, whole files, nothing left on failure.
@Suite struct AtomicFileTests {
    @Test func runsStartedTogetherEachGetTheirOwnFile() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let target = scratch.path("train-20261205T140000Z.json")
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<32 {
                group.addTask { try AtomicFile.create(Data("run \(i)".utf8), uniqueNear: target) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(paths).count == 32)
        #expect(paths.contains(target) && paths.contains(scratch.path("train-20261205T140000Z-32.json")))
        // Every run's own bytes, whole, and no temporary left.
        let contents = Set(try paths.map { try String(contentsOfFile: $0, encoding: .utf8) })
        #expect(contents == Set((0..<32).map { "run \($0)" }))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.root.path).allSatisfy { !$0.hasPrefix(".") })
    }

    /// ENOSPC on a 64 KiB tmpfs (mounting needs root, as in CI; elsewhere the test says why it
    /// cannot run).
    @Test func aFullDiskIsAnErrorInWordsAndLeavesNothing() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let mount = scratch.path("small")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount])
        try #require(mounted, "cannot mount a tmpfs here (needs root)")
        defer { _ = run("/bin/umount", [mount]) }
        let big = Data(repeating: 7, count: 256 * 1024)
        #expect {
            try AtomicFile.write(big, to: mount + "/report.json")
        } throws: { error in
            "\(error)".contains("No space left on device") && "\(error)".contains("report.json")
        }
        #expect {
            _ = try AtomicFile.create(big, uniqueNear: mount + "/train.json")
        } throws: { error in "\(error)".contains("No space left on device") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount).isEmpty)
    }

    private func run(_ tool: String, _ arguments: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
