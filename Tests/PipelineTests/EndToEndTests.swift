import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import Testing
import TimeSeries

@Suite struct EndToEndTests {
    /// A tiny LSTM (debug builds are ~100× slower than release): enough to train and serialise.
    static func tinyLSTM(_ c: inout TrainingConfiguration) {
        c.candidates = ["seasonal-naive", "lstm"]
        c.lstm.hiddenSize = 4
        c.lstm.layers = 1
        c.lstm.window = 12
        c.lstm.epochs = 1
        c.lstm.batchesPerEpoch = 2
        c.lstm.batchSize = 4
        c.lstm.validation = false
    }

    @Test func trainPublishesAVersionThatLoadsAndVerifiesAndWritesTheReport() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var c = Fixture.configuration(horizon: 6, folds: 2)
        Self.tinyLSTM(&c)
        let registry = ModelRegistry(root: URL(fileURLWithPath: root + "/Models"))
        let job = TrainingJob(trainer: GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: 5)))
        let inputs = [Fixture.input("a1", group: "web", count: 72), Fixture.input("a2", group: "web", count: 72, level: 20),
                      Fixture.input("b1", group: "db", count: 72, level: 5)]
        let report = job.run(TrainingGroup.grouping(inputs))
        #expect(report.trainedCount == 2, "\(report.groups.map { "\($0.group): \($0.reason ?? "")" })")

        for outcome in report.groups {
            let loaded = try registry.verify(group: outcome.group)
            #expect(loaded.version.id == outcome.version)
            let m = loaded.manifest
            let decision = try #require(outcome.selection)
            #expect(m.kind == decision.winner)
            #expect(m.selection["winner"]?.string == decision.winner)
            #expect(m.selection["crps"]?["lstm"]?.number != nil && m.selection["crps"]?["seasonal-naive"]?.number != nil)
            #expect(m.dataFingerprint == outcome.dataFingerprint)
            #expect(m.trainingWindow?.count == 72)
            #expect(m.backtestMetrics["candidates"] != nil)
            for component in decision.components {
                #expect(m.calibration[component] != nil)
                let file = component == "lstm" ? "lstm.bin" : "seasonal-naive.json"
                #expect(loaded.files[file] != nil)
                if component == "lstm" {
                    // The published parameter file is a model the engine reads back.
                    _ = try LSTMModel(serialized: Array(try loaded.data(file)))
                }
            }
        }

        let path = try report.write(to: root + "/reports", stamp: "20261129T040000Z")
        #expect(path.hasSuffix("reports/train-20261129T040000Z.json"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        #expect(FileManager.default.fileExists(atPath: root + "/reports/latest.json"))
        // A second run in the same second keeps the first run's report and leaves no temporary.
        let second = try report.write(to: root + "/reports", stamp: "20261129T040000Z")
        #expect(second.hasSuffix("reports/train-20261129T040000Z-2.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/reports").sorted()
                == ["latest.json", "train-20261129T040000Z-2.json", "train-20261129T040000Z.json"])
    }

    @Test func aFailedRetrainLeavesThePreviousVersionServing() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = ModelRegistry(root: URL(fileURLWithPath: root))
        let good = RegistryPublisher(registry: registry, keep: 5)
        let group = [TrainingGroup(name: "web", inputs: [Fixture.input("s", group: "web", count: 96)])]
        let first = TrainingJob(trainer: GroupTrainer(configuration: Fixture.configuration(), publisher: good)).run(group)
        let served = try #require(first.groups.first?.version)
        // The retrain fails after fitting (the publisher refuses): CURRENT must not move.
        let failing = TrainingJob(trainer: GroupTrainer(configuration: Fixture.configuration(),
                                                        publisher: FailingPublisher(failing: ["web"]))).run(group)
        #expect(failing.groups.first?.status == .failed)
        #expect(try registry.current(group: "web")?.id == served)
        #expect(try registry.verify(group: "web").version.id == served)
    }
}

@Suite struct ARIMACandidateTests {
    @Test func arimaIsBacktestedAndItsModelsArePublishedAsCodableJSON() throws {
        var c = Fixture.configuration(horizon: 6, folds: 2, candidates: ["arima"])
        c.arima.maxModels = 8
        let publisher = MemoryPublisher()
        let group = TrainingGroup(name: "g", inputs: [Fixture.input("s1", group: "g", count: 96),
                                                     Fixture.input("s2", group: "g", count: 96, level: 20)])
        let outcome = GroupTrainer(configuration: c, publisher: publisher).train(group)
        #expect(outcome.status == .trained, "\(outcome.reason ?? "")")
        let decision = try #require(outcome.selection)
        #expect(decision.crps["arima"] != nil && decision.crps["seasonal-naive"] != nil)
        // Force the ARIMA artifact whatever won, and check it reads back and forecasts.
        let fitted = try ModelCatalog(lstm: c.lstm, arima: c.arima).fit("arima", inputs: group.inputs, horizon: 6, levels: c.levels)
        let data = try #require(fitted.files["arima.json"])
        let models = try JSONDecoder().decode([String: ARIMAModel].self, from: data)
        #expect(models.keys.sorted() == ["s1", "s2"])
        let forecast = try #require(models["s1"]).forecast(horizon: 6, levels: c.levels)
        #expect(forecast.horizon == 6)
    }
}

@Suite struct GroupNameTests {
    @Test func aGroupTheRegistryCannotHoldFailsBeforeTrainingWithAHint() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let publisher = RegistryPublisher(registry: ModelRegistry(root: URL(fileURLWithPath: root)), keep: 2)
        // A wide file's series ids are "file/column"; without a group that is the group name.
        let inputs = [Fixture.input("wide/cpu", group: nil, count: 96), Fixture.input("ok", group: nil, count: 96)]
        let report = TrainingJob(trainer: GroupTrainer(configuration: Fixture.configuration(), publisher: publisher))
            .run(TrainingGroup.grouping(inputs))
        let bad = try #require(report.groups.first { $0.group == "wide/cpu" })
        #expect(bad.status == .failed && bad.reason?.contains("group = ") == true && bad.candidates.isEmpty)
        #expect(report.groups.first { $0.group == "ok" }?.status == .trained)
    }
}
