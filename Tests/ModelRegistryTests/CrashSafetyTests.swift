import Foundation
import Synchronization
import Testing
@testable import ModelRegistry

#if canImport(Glibc)
import Glibc
#endif

/// A crash or a concurrent reader never sees a partial model: CURRENT always loads and verifies.
@Suite struct CrashSafetyTests {
    @Test func readersDuringPublishSeeWholeVersionsOnly() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        try publishSample(registry, seed: 0, files: 3)
        let progress = Progress()
        let publishes = 40

        // The writer waits for a reader's load before each publish, so reads overlap the whole run.
        let writer = Task.detached {
            defer { progress.done.store(true, ordering: .releasing) }
            for seed in 1...publishes {
                try progress.awaitLoad(after: progress.loads.load(ordering: .acquiring))
                try publishSample(registry, seed: seed, files: 3)
            }
            try registry.retain(group: "web", keep: 2)
        }
        // Two readers load CURRENT in a loop; the parameter bytes must be the ones its manifest's seed makes.
        let readers = (0..<2).map { _ in
            Task.detached { () throws -> Set<Int> in
                var seeds = Set<Int>()
                while !progress.done.load(ordering: .acquiring) {
                    let model = try registry.load(group: "web")
                    let seed = Int(try #require(model.manifest.hyperParameters["seed"]?.number))
                    #expect(model.files == sampleFiles(seed: seed, count: 3))
                    seeds.insert(seed)
                    progress.loads.add(1, ordering: .releasing)
                }
                return seeds
            }
        }
        try await writer.value
        var seen = Set<Int>()
        for reader in readers { seen.formUnion(try await reader.value) }
        // At least the initial version and the first published one were read.
        #expect(seen.count >= 2)
        #expect(try registry.load(group: "web").manifest.hyperParameters["seed"]?.number == Double(publishes))
    }

    /// Launches a publisher process and SIGKILLs it at a random moment, many times; after each kill
    /// CURRENT must load and every version directory must verify (versions appear by rename only).
    @Test func killingAPublisherAtRandomMomentsLeavesCurrentServing() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let helper = try #require(stressHelper(), "psm-registry-stress is not built next to the test bundle")
        let registry = ModelRegistry(root: scratch.root)
        let initial = try registry.publish(group: "pool", manifest: ModelManifest(kind: "stress", hyperParameters: ["seed": 0]),
                                           files: ["part0.bin": Data([1, 2, 3])])
        var currents = Set([initial])
        var killsLeavingDebris = 0
        var generator = SystemRandomNumberGenerator()
        let iterations = 60
        let started = Date()
        for i in 0..<iterations {
            let process = Process()
            process.executableURL = helper
            process.arguments = [scratch.root.path, "pool"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 5_000...120_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "helper exited by itself (status \(process.terminationStatus)) in iteration \(i)")

            let entries = try FileManager.default.contentsOfDirectory(atPath: scratch.path("pool"))
            if entries.contains(where: { $0.hasPrefix(".tmp-") || $0.hasPrefix(".CURRENT.tmp-") }) { killsLeavingDebris += 1 }
            let model = try registry.verify(group: "pool")
            currents.insert(model.version)
            if let seed = model.manifest.hyperParameters["seed"]?.number, seed != 0 {
                // The helper's file contents follow from the seed; check them beyond the checksums.
                let part = try model.data("part0.bin")
                #expect(part.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset &* 31 &+ Int(seed)) })
            }
            for version in try registry.versions(group: "pool") {
                _ = try registry.load(group: "pool", version: version)
            }
        }
        // The helper must have got through publishes, or the kills proved nothing.
        #expect(currents.count > iterations / 4, "only \(currents.count) distinct CURRENT versions seen")
        // And some kills must have landed mid-publish (most of a publish is spent with a temporary on disk).
        #expect(killsLeavingDebris > 0)
        #expect(Date().timeIntervalSince(started) < 60)

        // A following publish and retain clear whatever the kills left behind.
        let last = try publishSample(registry, group: "pool", seed: 99)
        try registry.retain(group: "pool", keep: 1)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path("pool")).sorted()
        #expect(left == [".lock", "CURRENT", last.id].sorted())
        #expect(try registry.verify(group: "pool").version == last)
    }

    /// The helper executable, built by SwiftPM next to the test bundle.
    func stressHelper() -> URL? {
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            .compactMap { $0?.deletingLastPathComponent() }
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            for sub in ["", "..", "../.."] {
                let url = dir.appendingPathComponent(sub).appendingPathComponent("psm-registry-stress").standardizedFileURL
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return nil
    }
}

/// Shared between the writer and the readers of the concurrency test.
final class Progress: Sendable {
    let done = Atomic<Bool>(false)
    let loads = Atomic<Int>(0)

    struct NoReader: Error {}

    /// Waits (up to 10 s) until the load count exceeds `count`.
    func awaitLoad(after count: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while loads.load(ordering: .acquiring) <= count {
            guard Date() < deadline else { throw NoReader() }
            usleep(200)
        }
    }
}
