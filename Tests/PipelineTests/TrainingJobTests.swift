import Evaluation
import Forecasting
import Foundation
import Pipeline
import Testing
import TimeSeries

@Suite struct TrainingJobTests {
    @Test func tooShortGroupIsSkippedWithAReasonAndOthersTrain() throws {
        let config = Fixture.configuration(horizon: 6, folds: 3) // needs 6 + 6 + 2·6 = 24 points
        let publisher = MemoryPublisher()
        let job = TrainingJob(trainer: GroupTrainer(configuration: config, publisher: publisher))
        let inputs = [Fixture.input("a1", group: "web", count: 120), Fixture.input("a2", group: "web", count: 120),
                      Fixture.input("b1", group: "tiny", count: 20)]
        let report = job.run(TrainingGroup.grouping(inputs))
        let tiny = try #require(report.groups.first { $0.group == "tiny" })
        #expect(tiny.status == .skipped)
        #expect(tiny.reason?.contains("20 points") == true && tiny.reason?.contains("needs 24") == true)
        let web = try #require(report.groups.first { $0.group == "web" })
        #expect(web.status == .trained)
        #expect(web.series == ["a1", "a2"])
        // Metrics per group and per series, for every candidate.
        let naive = try #require(web.candidates.first { $0.model == "seasonal-naive" })
        #expect(naive.calibrated?.crps != nil)
        #expect(naive.series?.keys.sorted() == ["a1", "a2"])
        // The HTML report's section: the pipeline's choice and coverage before/after calibration.
        let evaluation = try #require(web.evaluation)
        #expect(evaluation.selection?.model == web.selection?.winner)
        #expect(evaluation.calibration.map(\.model) == ["seasonal-naive"])
        #expect(evaluation.versions.first?.id == web.version)
        #expect(publisher.artifacts(group: "web").count == 1)
        #expect(publisher.artifacts(group: "tiny").isEmpty)
        #expect(!report.everyGroupFailed)
    }

    @Test func failingGroupIsRecordedAndDoesNotBlockTheOthers() throws {
        var config = Fixture.configuration()
        config.jobs = 2
        let publisher = FailingPublisher(failing: ["g2"])
        let lines = LineSink()
        let job = TrainingJob(trainer: GroupTrainer(configuration: config, publisher: publisher), progress: lines.append)
        let groups = (1...4).map { TrainingGroup(name: "g\($0)", inputs: [Fixture.input("s\($0)", group: "g\($0)", count: 96)]) }
        let report = job.run(groups)
        #expect(report.groups.map(\.group) == ["g1", "g2", "g3", "g4"])
        let failed = try #require(report.groups.first { $0.group == "g2" })
        #expect(failed.status == .failed && failed.reason?.contains("disk full") == true)
        #expect(report.trainedCount == 3)
        for g in ["g1", "g3", "g4"] { #expect(publisher.inner.artifacts(group: g).count == 1) }
        // The opening line, a progress line per group with done/total and an ETA, then the held-out
        // coverage: a heading, one line per trained group and one for all of them.
        let progress = lines.lines
        #expect(progress.count == 1 + 4 + 1 + 3 + 1)
        #expect(progress.filter { $0.hasPrefix("[") }.count == 4)
        #expect(progress.contains { $0.contains("held-out calibrated coverage") })
        #expect(progress.last?.hasPrefix("  all groups: 80 % ") == true)
        #expect(progress.contains { $0.hasPrefix("[4/4]") && $0.contains("ETA") })
        #expect(progress.contains { $0.contains("g2: FAILED: disk full") })
    }

    @Test func everyGroupFailingIsReported() {
        let job = TrainingJob(trainer: GroupTrainer(configuration: Fixture.configuration(),
                                                    publisher: FailingPublisher(failing: ["x"])))
        let report = job.run([TrainingGroup(name: "x", inputs: [Fixture.input("s", group: "x", count: 96)])])
        #expect(report.everyGroupFailed)
    }

    @Test func shardTrainsOnlyItsGroups() throws {
        let groups = (0..<10).map { TrainingGroup(name: "g\($0)", inputs: [Fixture.input("s\($0)", group: "g\($0)", count: 60)]) }
        var seen: [String] = []
        for i in 0..<3 {
            let shard = try #require(Shard("\(i)/3"))
            let job = TrainingJob(trainer: GroupTrainer(configuration: Fixture.configuration(), publisher: MemoryPublisher()),
                                  shard: shard)
            let report = job.run(groups)
            #expect(report.totalGroups == 10)
            seen += report.groups.map(\.group)
        }
        #expect(seen.sorted() == groups.map(\.name).sorted())
    }

    @Test func manifestSectionsCarryTheEvidence() throws {
        let publisher = MemoryPublisher()
        let job = TrainingJob(trainer: GroupTrainer(configuration: Fixture.configuration(), publisher: publisher))
        let input = Fixture.input("s", group: "g", count: 96)
        _ = job.run([TrainingGroup(name: "g", inputs: [input])])
        let artifact = try #require(publisher.artifacts(group: "g").first)
        #expect(artifact.kind == "seasonal-naive")
        #expect(artifact.files.keys.sorted() == ["seasonal-naive.json"])
        #expect(artifact.dataFingerprint.count == 64)
        #expect(artifact.dataFingerprint == TrainingGroup(name: "g", inputs: [input]).fingerprint)
        #expect(artifact.trainingWindow == input.series.grid)
        let selection = try #require(JSONSerialization.jsonObject(with: artifact.selection) as? [String: Any])
        #expect(selection["winner"] as? String == "seasonal-naive")
        let calibration = try #require(JSONSerialization.jsonObject(with: artifact.calibration) as? [String: Any])
        #expect(calibration["seasonal-naive"] != nil)
        let metrics = String(decoding: artifact.backtestMetrics, as: UTF8.self)
        #expect(metrics.contains("upperCoverage") && metrics.contains("heldOutCoverage"))
    }

    @Test func fingerprintChangesWithTheData() {
        let a = TrainingGroup(name: "g", inputs: [Fixture.input("s", group: "g", count: 50)])
        let b = TrainingGroup(name: "g", inputs: [Fixture.input("s", group: "g", count: 50, level: 10.5)])
        #expect(a.fingerprint != b.fingerprint)
        #expect(a.fingerprint == TrainingGroup(name: "g", inputs: [Fixture.input("s", group: "g", count: 50)]).fingerprint)
    }
}

/// Collects progress lines from concurrent workers.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    var append: @Sendable (String) -> Void { { [self] line in lock.lock(); stored.append(line); lock.unlock() } }
}
