import ArgumentParser
import Foundation
@testable import PSMCommands

/// A fresh temporary directory per test, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "psm-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String, _ contents: String) throws -> String {
        let p = path + "/" + name
        try contents.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// Parses `arguments` as the `psm` command line would and runs the chosen subcommand in-process.
func runPSM(_ arguments: [String]) throws {
    var command = try PSM.parseAsRoot(arguments)
    try command.run()
}

/// The repository root (for the bundled Datasets/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
