import Actuator
import Foundation
import Pipeline
import PSMConfiguration
import Testing

/// One psm.toml reader (`PSMFile`) for both programs: `psm train`'s loader and the actuator's see
/// the same file the same way, and fail on it with the same error naming file, line or section.
@Suite struct PSMFileTests {
    static func write(_ text: String) throws -> String {
        let dir = NSTemporaryDirectory() + "psm-file-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/psm.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The error each loader throws for the file at `path`.
    static func errors(_ path: String) -> [ConfigurationError?] {
        [{ do throws(ConfigurationError) { _ = try TrainingConfiguration.load(path: path); return nil } catch { return error } }(),
         { do throws(ConfigurationError) { _ = try ActuatorConfiguration.load(path: path); return nil } catch { return error } }()]
    }

    @Test func bothProgramsRefuseABadFileWithTheSameError() throws {
        let syntax = try Self.write("[data]\ninputs = [\"a.csv\"]\n\n[forecast\nhorizon = 3\n")
        let bySyntax = Self.errors(syntax)
        #expect(bySyntax[0] == bySyntax[1])
        #expect(bySyntax[0]?.code == .syntax && bySyntax[0]?.file == syntax)
        #expect(bySyntax[0]?.description.hasPrefix("\(syntax): line 4") == true, "\(String(describing: bySyntax[0]))")

        let section = try Self.write("[data]\ninputs = [\"a.csv\"]\n\n[actuatr]\nregistry = \"m\"\n")
        let bySection = Self.errors(section)
        #expect(bySection[0] == bySection[1])
        #expect(bySection[0]?.code == .unknownKey && bySection[0]?.location == "actuatr")

        let missing = NSTemporaryDirectory() + "psm-file-missing-\(UUID().uuidString).toml"
        let byMissing = Self.errors(missing)
        #expect(byMissing[0] == byMissing[1] && byMissing[0]?.code == .unreadable && byMissing[0]?.file == missing)
    }

    @Test func relativePathsResolveAgainstTheFilesDirectory() throws {
        let path = try Self.write("[actuator]\nregistry = \"models\"\nstore = \"state.sqlite\"\n\n[[actuator.groups]]\nname = \"web\"\nunit = 1\n")
        let file = try PSMFile.read(path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(file.path == path && file.directory == directory)
        let c = try ActuatorConfiguration.load(path: path)
        #expect(c.registry == directory + "/models" && c.store == directory + "/state.sqlite")
        #expect(try PSMFile(text: "[api]\n", file: "t.toml").directory == ".")
    }
}
