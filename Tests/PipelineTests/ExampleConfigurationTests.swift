import Foundation
import Pipeline
import Testing

/// examples/psm.toml, the configuration the README's first command trains with, stays loadable and
/// points at data that exists (training on it takes minutes in debug: the quickstart and the
/// opt-in BundledDataHeldOutCoverageCheck run it).
@Suite struct ExampleConfigurationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theExampleLoadsAndEveryInputExists() throws {
        let c = try TrainingConfiguration.load(path: Self.root.appendingPathComponent("examples/psm.toml").path)
        #expect(c.sources.count == 9)
        #expect(Set(c.sources.compactMap(\.group)) == ["ec2-cpu", "alibaba"])
        for source in c.sources {
            #expect(FileManager.default.fileExists(atPath: c.resolve(source.path)), "\(source.path) does not exist")
        }
        #expect(c.candidates == ["seasonal-naive", "arima", "lstm"])
        #expect(c.horizon == 12)
    }
}
