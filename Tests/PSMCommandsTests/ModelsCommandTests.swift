import ArgumentParser
import Foundation
import ModelRegistry
import Testing
@testable import PSMCommands

@Suite struct ModelsCommandTests {
    /// A registry under a temporary directory with versions of `web` one minute apart.
    func populated(_ dir: TemporaryDirectory, versions: Int = 3) throws -> (ModelRegistry, [ModelVersion]) {
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        var published: [ModelVersion] = []
        for seed in 0..<versions {
            published.append(try registry.publish(group: "web", manifest: ModelManifest(kind: "seasonal-naive", hyperParameters: ["season": 288]),
                                                  files: ["w.bin": Data([UInt8(seed), 1, 2])]))
        }
        return (registry, published)
    }

    /// The exit code `psm` would return for `arguments`.
    func exitCode(_ arguments: [String]) -> Int32 {
        do {
            try runPSM(arguments)
            return 0
        } catch {
            return PSM.exitCode(for: error).rawValue
        }
    }

    @Test func listMarksCurrentAndReadsEachManifest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (registry, v) = try populated(dir)
        try registry.promote(group: "web", version: v[1])
        let rows = try registry.listing(groups: [])
        #expect(rows.map(\.version) == v.map(\.id))
        #expect(rows.map(\.current) == [false, true, false])
        #expect(rows.allSatisfy { $0.kind == "seasonal-naive" && $0.files == 1 && $0.bytes == 3 && $0.error == nil })
        let table = VersionRow.table(rows)
        #expect(table.contains("* web/\(v[1].id)"))
        #expect(table.contains("  web/\(v[0].id)"))
        #expect(!table.contains("problem"))
    }

    @Test func verifyExitsOneAndNamesTheDamagedFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (registry, v) = try populated(dir)
        #expect(exitCode(["models", "verify", "--models", dir.path + "/Models"]) == 0)
        try Data([9]).write(to: URL(fileURLWithPath: "\(dir.path)/Models/web/\(v[0].id)/w.bin"))
        let results = try registry.verifyAll(groups: ["web"])
        #expect(results.map(\.ok) == [false, true, true])
        #expect(results[0].file == "w.bin" && results[0].code == "checksumMismatch")
        #expect(VerifyResult.text(results).hasPrefix("FAILED  web/\(v[0].id): checksumMismatch"))
        #expect(exitCode(["models", "verify", "--models", dir.path + "/Models"]) == 1)
        #expect(exitCode(["models", "verify", "web", String(v[1].id.suffix(8)), "--models", dir.path + "/Models"]) == 1,
                "a hash suffix is not a prefix of the id")
        #expect(exitCode(["models", "verify", "web", v[1].id, "--models", dir.path + "/Models"]) == 0)
    }

    @Test func verifyReportsACurrentPointerToNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (registry, _) = try populated(dir, versions: 1)
        try Data("20200101T000000Z-00000000\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/Models/web/CURRENT"))
        let results = try registry.verifyAll(groups: ["web"])
        #expect(results.first?.version == "CURRENT" && results.first?.ok == false)
        #expect(results.first?.code == "versionNotFound")
    }

    @Test func promoteRollbackAndRetainMoveThePointerAndPrune() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (registry, v) = try populated(dir, versions: 4)
        let models = ["--models", dir.path + "/Models"]
        #expect(exitCode(["models", "rollback", "web"] + models) == 0)
        #expect(try registry.current(group: "web") == v[2])
        #expect(exitCode(["models", "rollback", "web", "--to", v[0].id] + models) == 0)
        #expect(try registry.current(group: "web") == v[0])
        // A unique prefix is enough to name a version.
        #expect(exitCode(["models", "promote", "web", String(v[3].id.prefix(17)) + String(v[3].hash.prefix(3))] + models) == 0)
        #expect(try registry.current(group: "web") == v[3])
        #expect(exitCode(["models", "promote", "web", "1999"] + models) == 1)
        #expect(exitCode(["models", "retain", "--keep", "0"] + models) != 0)
        #expect(exitCode(["models", "retain", "--keep", "2"] + models) == 0)
        #expect(try registry.versions(group: "web") == [v[2], v[3]])
        #expect(exitCode(["models", "show", "web"] + models) == 0)
        #expect(exitCode(["models", "show", "nope"] + models) == 1)
    }

    @Test func showSummarisesTheManifest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (registry, v) = try populated(dir, versions: 1)
        let text = try registry.manifest(group: "web").describe(group: "web", version: v[0], isCurrent: true)
        #expect(text.contains("version           \(v[0].id) (current)"))
        #expect(text.contains("hyper-parameters  {\"season\":288}"))
        #expect(text.contains("  w.bin  3 bytes  sha256 "))
    }
}
