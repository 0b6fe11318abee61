import Evaluation
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import Testing
import TimeSeries

/// `[models.lstm] scope = "global"`: one network across the groups of a training run.
@Suite struct GlobalLSTMTests {
    static func configuration() -> TrainingConfiguration {
        var c = Fixture.configuration(horizon: 6, folds: 2)
        EndToEndTests.tinyLSTM(&c)
        c.stride = 12
        return c
    }

    static func groups(db: [Double]? = nil) -> [TrainingGroup] {
        var b1 = Fixture.input("b1", group: "db", count: 72, level: 5)
        if let db { b1.series.values = db }
        return TrainingGroup.grouping([Fixture.input("a1", group: "web", count: 72),
                                       Fixture.input("a2", group: "web", count: 72, level: 20), b1])
    }

    @Test func everyGroupsFileHoldsTheSameNetworkWithItsOwnSeries() throws {
        let c = Self.configuration()
        let groups = Self.groups()
        let shared = ModelCatalog(lstm: c.lstm).sharingLSTM(across: groups)
        var models: [String: LSTMModel] = [:], hyper: [String: [String: String]] = [:]
        for g in groups {
            let fitted = try shared.fit("lstm", inputs: g.inputs, horizon: 6, levels: c.levels)
            models[g.name] = try LSTMModel(serialized: [UInt8](try #require(fitted.files["lstm.bin"])))
            hyper[g.name] = fitted.hyperParameters
        }
        let web = try #require(models["web"]), db = try #require(models["db"])
        #expect(web.members == db.members)
        #expect(web.series.map(\.seriesID) == ["a1", "a2"] && db.series.map(\.seriesID) == ["b1"])
        #expect(hyper["web"]?["scope"] == "global" && hyper["web"]?["pooled_groups"] == "2" && hyper["web"]?["pooled_series"] == "3")
        #expect(hyper["web"]?["weights_fnv1a64"] == hyper["db"]?["weights_fnv1a64"])
        #expect(hyper["web"]?["weights_fnv1a64"] == LSTMModel.weightsChecksum(web.members))
        // Per group, the two groups' networks differ (trained on different series).
        let own = ModelCatalog(lstm: c.lstm)
        let alone = try LSTMModel(serialized: [UInt8](try #require(
            own.fit("lstm", inputs: groups[0].inputs, horizon: 6, levels: c.levels).files["lstm.bin"])))
        #expect(alone.members != web.members)
        #expect(try own.fit("lstm", inputs: groups[0].inputs, horizon: 6, levels: c.levels).hyperParameters["scope"] == "group")
    }

    /// A fold's network is trained on every pooled series before the fold's cut-off only: another
    /// group's values after it do not change this group's backtest, values before it do.
    @Test func backtestFoldsLearnNothingFromAnotherGroupsFuture() throws {
        let c = Self.configuration()
        let backtest = BacktestConfiguration(horizon: 6, folds: 2, stride: 12, levels: c.levels)
        func webFolds(_ db: [Double]?) throws -> [[Double]] {
            let groups = Self.groups(db: db)
            let rolling = try #require(ModelCatalog(lstm: c.lstm).sharingLSTM(across: groups).rollingForecaster("lstm"))
            let run = try RollingBacktest.run(rolling, inputs: groups[0].inputs, configuration: backtest, originStride: 6)
            return run.report.series.flatMap { $0.folds.map { $0.forecast.quantiles.flatMap { $0 } } }
        }
        let base = Fixture.input("b1", group: "db", count: 72, level: 5).series.values
        let reference = try webFolds(nil)
        #expect(reference.count == 4, "two series × two folds")
        // The last fold's origin is 66 (72 − 6): changing db from there on is unseen by every fold.
        let future = base.enumerated().map { t, y in t >= 66 ? y * 50 : y }
        #expect(try webFolds(future) == reference)
        // Changing db before the first origin (54) reaches both folds through the shared network.
        let past = base.enumerated().map { t, y in (30..<50).contains(t) ? y * 50 : y }
        let changed = try webFolds(past)
        #expect(changed.count == 4 && changed != reference)
    }

    @Test func theTrainingJobSharesOneNetworkAcrossGroupsByDefault() throws {
        let c = Self.configuration()
        #expect(c.lstm.scope == .global)
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = ModelRegistry(root: URL(fileURLWithPath: root + "/Models"))
        let report = TrainingJob(trainer: GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: 5)))
            .run(Self.groups())
        #expect(report.trainedCount == 2, "\(report.groups.map { "\($0.group): \($0.reason ?? "")" })")
        for outcome in report.groups {
            #expect(outcome.notes.contains("lstm: one network shared by 2 groups (3 series)"), "\(outcome.notes)")
        }
        // Every published LSTM file holds the same weights.
        var checksums: Set<String> = []
        for outcome in report.groups where outcome.selection?.components.contains("lstm") == true {
            let loaded = try registry.verify(group: outcome.group)
            checksums.insert(LSTMModel.weightsChecksum(try LSTMModel(serialized: [UInt8](loaded.data("lstm.bin"))).members))
        }
        #expect(checksums.count <= 1)

        var perGroup = c
        perGroup.lstm.scope = .group
        let other = TrainingJob(trainer: GroupTrainer(configuration: perGroup, publisher: MemoryPublisher())).run(Self.groups())
        #expect(other.trainedCount == 2)
        #expect(other.groups.allSatisfy { o in !o.notes.contains { $0.hasPrefix("lstm: one network shared") } })
    }

    @Test func groupsThatShareCanBeListed() throws {
        var c = Self.configuration()
        c.candidates = ["seasonal-naive", "lstm"]
        let report = TrainingJob(trainer: GroupTrainer(configuration: c, publisher: MemoryPublisher()))
            .run(Self.groups(), sharing: [["web"], ["db"]])
        #expect(report.groups.allSatisfy { o in
            o.notes.contains("lstm: one network shared by 1 group (\(o.group == "web" ? 2 : 1) series)")
        }, "\(report.groups.map(\.notes))")
    }
}

@Suite struct LSTMScopeConfigurationTests {
    @Test func scopeIsReadAndABadOneIsNamed() throws {
        let c = try TrainingConfiguration.parse(ConfigurationTests.minimal + "\n[models.lstm]\nscope = \"group\"\n", fileName: "psm.toml")
        #expect(c.lstm.scope == .group)
        #expect(try TrainingConfiguration.parse(ConfigurationTests.minimal, fileName: "psm.toml").lstm.scope == .global)
        #expect(ConfigurationTests.error(ConfigurationTests.minimal + "\n[models.lstm]\nscope = \"fleet\"\n")?
                    .contains("[models.lstm] scope: must be one of global, group, got fleet") == true)
    }
}
