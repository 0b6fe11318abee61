import Foundation
import Synchronization
import Testing
@testable import ModelRegistry

#if canImport(Glibc)
import Glibc
#endif

/// A crash or a concurrent reader never sees a partial model: CURRENT always loads and verifies.
@Suite struct CrashSafetyTests {
    @Test func readersDuringPublishSeeWholeVersionsOnly() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let registry = ModelRegistry(root: scratch.root)
        try publishSample(registry, seed: 0, files: 3)
        let progress = Progress()
        let publishes = 40

        // Plain threads, not tasks: they block (file I/O, waiting), which must not starve the
        // cooperative pool the other tests run on.
        // The writer waits for a reader's load before each publish, so reads overlap the whole run.
        let writer = progress.spawn {
            defer { progress.done.store(true, ordering: .releasing) }
            for seed in 1...publishes {
                try progress.awaitLoad(after: progress.loads.load(ordering: .acquiring))
                try publishSample(registry, seed: seed, files: 3)
            }
            try registry.retain(group: "web", keep: 2)
        }
        // Two readers load CURRENT in a loop; the parameter bytes must be the ones its manifest's seed makes.
        let readers = (0..<2).map { _ in
            progress.spawn {
                while !progress.done.load(ordering: .acquiring) {
                    let model = try registry.load(group: "web")
                    // Thrown, not #expect-ed: this thread is outside the test's task, so join() reports it.
                    guard let number = model.manifest.hyperParameters["seed"]?.number,
                          model.files == sampleFiles(seed: Int(number), count: 3) else {
                        throw Joinable.Failed(description: "\(model.version): files do not match the manifest's seed")
                    }
                    let seed = Int(number)
                    progress.record(seed: seed)
                    progress.loads.add(1, ordering: .releasing)
                }
            }
        }
        let failures = ([writer] + readers).compactMap { $0.join() }
        #expect(failures.isEmpty)
        // At least the initial version and the first published one were read.
        #expect(progress.seeds.withLock { $0.count } >= 2)
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

    /// A kill between a first publish's version rename and its CURRENT write leaves a whole
    /// version and no CURRENT; the next repair (the next `psm train`, `psm models verify --repair`)
    /// completes it, so every group either serves a verified version or has none.
    @Test func killedFirstPublishesAreCompletedByTheNextRepair() throws {
        let scratch = try Scratch()
        defer { scratch.cleanUp() }
        let helper = try #require(stressHelper(), "psm-registry-stress is not built next to the test bundle")
        let registry = ModelRegistry(root: scratch.root)
        var generator = SystemRandomNumberGenerator()
        var interrupted = 0
        var completed = 0
        // Until some kills have landed in the window (the helper's start-up under a loaded machine
        // can take longer than a short kill delay), at most 150 runs.
        for i in 0..<150 where i < 40 || interrupted < 3 {
            let process = Process()
            process.executableURL = helper
            process.arguments = [scratch.root.path, "first\(i)", "--first-publishes"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...250_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            for group in try registry.groups() where group.hasPrefix("first\(i)-") {
                let waiting = try registry.interruptedPublish(group: group)
                if try registry.current(group: group) == nil, !(try registry.versions(group: group)).isEmpty {
                    interrupted += 1
                    #expect(waiting != nil, "\(group): a version without CURRENT and no record of the publish")
                }
                if let repair = try registry.repairInterruptedPublish(group: group), repair.outcome == .completed { completed += 1 }
                // After the repair: the group serves a version that verifies, or holds none.
                if try registry.versions(group: group).isEmpty {
                    #expect(try registry.current(group: group) == nil)
                } else {
                    #expect(throws: Never.self) { try registry.verify(group: group) }
                }
                #expect(try registry.interruptedPublish(group: group) == nil)
            }
        }
        // Some kills must have landed in the window, or the test proved nothing.
        #expect(interrupted > 0)
        #expect(completed == interrupted)
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
    let failed = Atomic<Bool>(false)
    let loads = Atomic<Int>(0)
    let seeds = Mutex<Set<Int>>([])

    struct NoReader: Error {}

    func record(seed: Int) { _ = seeds.withLock { $0.insert(seed) } }

    /// Waits (up to 30 s, or until a thread failed) until the load count exceeds `count`.
    func awaitLoad(after count: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        while loads.load(ordering: .acquiring) <= count {
            guard Date() < deadline, !failed.load(ordering: .acquiring) else { throw NoReader() }
            usleep(200)
        }
    }

    /// Runs `body` on a new thread; `join()` waits for it and returns its error.
    func spawn(_ body: @escaping @Sendable () throws -> Void) -> Joinable {
        let joinable = Joinable()
        Thread {
            do {
                try body()
            } catch {
                joinable.error.withLock { $0 = "\(error)" }
                self.failed.store(true, ordering: .releasing)
            }
            // A failed writer must not leave the readers spinning.
            self.done.store(true, ordering: .releasing)
            joinable.finished.signal()
        }.start()
        return joinable
    }
}

/// A thread's completion and error.
final class Joinable: Sendable {
    let finished = DispatchSemaphore(value: 0)
    let error = Mutex<String?>(nil)

    struct Failed: Error, CustomStringConvertible { let description: String }

    func join() -> String? {
        finished.wait()
        return error.withLock { $0 }
    }
}
