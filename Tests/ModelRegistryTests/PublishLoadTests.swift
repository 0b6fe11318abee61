import Features
import Foundation
import Testing
import TimeSeries
@testable import ModelRegistry

@Suite struct PublishLoadTests {
    @Test func publishedModelLoadsWithItsManifestAndBytes() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let clock = ManualClock("20261129T040000Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        let schema = try FeatureSchema(fourier: [FourierTerm(period: 86_400, harmonics: 2)], dayOfWeek: .oneHot)
        let grid = TimeGrid(axis: .time, start: 1_700_000_000, step: 300, count: 2016)
        let manifest = ModelManifest(kind: "arima", hyperParameters: ["p": 2, "d": 1, "q": 1, "seasonal": [0, 1, 1, 288]],
                                     featureSchema: schema, trainingWindow: grid, dataFingerprint: "abc123",
                                     backtestMetrics: ["mase": 0.82], calibration: ["widths": [1.5, 2.5]],
                                     selection: ["chosen": "arima"])
        let files = sampleFiles(seed: 3)
        let version = try registry.publish(group: "web", manifest: manifest, files: files)

        #expect(try registry.current(group: "web") == version)
        #expect(try registry.versions(group: "web") == [version])
        #expect(try registry.groups() == ["web"])
        let model = try registry.load(group: "web")
        #expect(model.version == version)
        #expect(model.files == files)
        #expect(model.manifest.kind == "arima")
        #expect(model.manifest.hyperParameters["seasonal"] == [0, 1, 1, 288])
        #expect(model.manifest.featureSchema == schema)
        #expect(model.manifest.trainingWindow == grid)
        #expect(model.manifest.dataFingerprint == "abc123")
        #expect(model.manifest.backtestMetrics["mase"]?.number == 0.82)
        #expect(model.manifest.schemaVersion == ModelManifest.currentSchemaVersion)
        #expect(model.manifest.psmVersion == ModelManifest.defaultPSMVersion)
        #expect(Timestamp.format(model.manifest.createdAt) == "2026-11-29T04:00:00Z")
        #expect(try model.data("p1.bin") == files["p1.bin"])
        #expect(registryError { _ = try model.data("nope.bin") }?.code == .missingFile)
    }

    @Test func checksumsAndVersionIdAgreeWithSha256sum() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root, clock: ManualClock("20261129T040507Z"))
        let version = try publishSample(registry, seed: 9)
        let dir = scratch.path("web", version.id)
        let manifestHash = try referenceSHA256(dir + "/manifest.json")
        #expect(version.id == "20261129T040507Z-" + manifestHash.prefix(8))
        #expect(version.createdAt == Timestamp.parse("2026-11-29T04:05:07Z")?.seconds)
        let model = try registry.load(group: "web")
        for (name, entry) in model.manifest.files {
            #expect(entry.sha256 == (try referenceSHA256(dir + "/" + name)), "\(name)")
        }
        #expect(model.manifest.files.count == 2)
        // CURRENT is the id and a newline, nothing else, so shell tools can read it.
        #expect(try String(contentsOfFile: scratch.path("web", "CURRENT"), encoding: .utf8) == version.id + "\n")
    }

    @Test func versionIdsSortByPublicationTimeToTheSecond() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let clock = ManualClock("20261129T235958Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        var published: [ModelVersion] = []
        // Seeds chosen so hash order and time order disagree somewhere would not matter: the
        // timestamp prefix decides whenever the seconds differ.
        for seed in [5, 1, 4, 2] {
            published.append(try publishSample(registry, seed: seed))
            clock.advance(1) // crosses midnight, a day and a minute boundary
        }
        #expect(try registry.versions(group: "web") == published)
        #expect(published.map { String($0.id.prefix(16)) }
            == ["20261129T235958Z", "20261129T235959Z", "20261130T000000Z", "20261130T000001Z"])
    }

    @Test func publishesWithinOneSecondOrAfterAClockStepBackStillSortInPublishOrder() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let clock = ManualClock("20261129T040000Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        var published: [ModelVersion] = []
        // Enough same-second publishes that hash order alone would almost surely disagree with publish order.
        for seed in 0..<6 { published.append(try publishSample(registry, seed: seed)) }
        clock.advance(-3600)
        published.append(try publishSample(registry, seed: 0))
        #expect(try registry.versions(group: "web") == published)
        #expect(published.map { String($0.id.prefix(16)) } == (0...6).map { "20261129T04000\($0)Z" })
        #expect(try registry.current(group: "web") == published.last)
        // The manifest carries the same time as the id.
        #expect(try registry.load(group: "web").manifest.createdAt == published[6].createdAt)
        #expect(try registry.rollback(group: "web") == published[5])
        // Once the clock passes the newest version, ids follow the clock again.
        clock.advance(3600 + 60)
        #expect(try publishSample(registry, seed: 7).id.hasPrefix("20261129T040100Z-"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: scratch.path("web"))
        #expect(entries.filter { $0.hasPrefix(".tmp-") || $0.hasPrefix(".CURRENT.tmp-") }.isEmpty)
    }

    @Test func publishWithoutMakeCurrentLeavesThePointer() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let clock = ManualClock("20261129T040000Z")
        let registry = ModelRegistry(root: scratch.root, clock: clock)
        let first = try publishSample(registry, seed: 1)
        clock.advance(60)
        let staged = try registry.publish(group: "web", manifest: ModelManifest(kind: "sample"), files: [:], makeCurrent: false)
        #expect(try registry.current(group: "web") == first)
        #expect(try registry.load(group: "web", version: staged).files.isEmpty)
    }

    @Test func invalidGroupAndFileNamesAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        for group in ["", "..", ".", "a/b", "../escape", ".hidden", "sp ace", "é", String(repeating: "x", count: 129)] {
            let error = registryError { try publishSample(registry, group: group, seed: 1) }
            #expect(error?.code == .invalidName, "group '\(group)'")
        }
        for file in ["manifest.json", "../x.bin", "a/b.bin", ".dot", ""] {
            let error = registryError {
                try registry.publish(group: "web", manifest: ModelManifest(kind: "k"), files: [file: Data([1])])
            }
            #expect(error?.code == .invalidName, "file '\(file)'")
            #expect(error?.file == file)
        }
        #expect(try publishSample(registry, group: "pool-A_1.eu", seed: 1).id.count == 25)
        // Nothing escaped the root (which holds the group and the registry's change marker).
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.root.path).sorted()
                == [ModelRegistry.generationName, "pool-A_1.eu"])
    }

    @Test func nonFiniteNumbersInTheManifestAreRefusedAtPublish() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        let error = registryError {
            try registry.publish(group: "web", manifest: ModelManifest(kind: "k", backtestMetrics: ["mase": .number(.nan)]), files: [:])
        }
        #expect(error?.code == .invalidManifest)
        #expect(try registry.versions(group: "web").isEmpty)
    }

    @Test func versionIdParsingRejectsMalformedIds() {
        #expect(ModelVersion("20261129T040000Z-0123abcd")?.createdAt == Timestamp.parse("2026-11-29T04:00:00Z")?.seconds)
        for bad in ["20260231T000000Z-0123abcd", "20261129T240000Z-0123abcd", "20261129T040000Z-0123ABCD",
                    "20261129T040000Z-0123abc", "20261129-040000Z-0123abcd", "CURRENT", "", ".tmp-1234"] {
            #expect(ModelVersion(bad) == nil, "\(bad)")
        }
    }

    @Test func jsonValueRoundTripsEveryKind() throws {
        let value: JSONValue = ["n": nil, "b": true, "x": 1.25, "s": "text", "a": [1, "two", false], "o": ["k": []]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        // A JSON `true` stays a boolean and `1` stays a number.
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data("[true, 1]".utf8)) == [.bool(true), .number(1)])
    }
}
