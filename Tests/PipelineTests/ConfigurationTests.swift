import Calibration
import Evaluation
import Forecasting
import Features
import Foundation
import Pipeline
import PSMConfiguration
import Testing

@Suite struct ConfigurationTests {
    static let minimal = """
    [data]
    inputs = ["data/a.csv", { path = "nab/", group = "ec2" }]
    [forecast]
    horizon = 12
    """

    @Test func minimalFileGetsTheDocumentedDefaults() throws {
        let c = try TrainingConfiguration.parse(Self.minimal, fileName: "psm.toml")
        #expect(c.horizon == 12)
        #expect(c.sources == [.init(path: "data/a.csv"), .init(path: "nab/", group: "ec2")])
        #expect(c.folds == 3)
        #expect(c.backtest.stride == 12)
        #expect(c.backtest.minimumTrainingLength == 12)
        #expect(c.candidates == ["seasonal-naive", "lstm"])
        #expect(c.registryDirectory == "Models" && c.keepVersions == 5)
        #expect(c.reportDirectory == "reports" && c.jobs == 2)
        #expect(c.levels.contains(0.995) && c.levels.contains(0.005))
        #expect(c.calibrationMethod == .residualQuantile && c.calibrationMinimumSamples == 50)
        #expect(c.calibrationWindow == 288 && c.calibrationRefresh == 72 && c.originStride == 1)
    }

    @Test func calibrationKeysAreReadAndChecked() throws {
        let text = Self.minimal + """

        [calibration]
        method = "cqr"
        min_samples = 20
        window = 144
        refresh = 36
        origin_stride = 2
        """
        let c = try TrainingConfiguration.parse(text, fileName: "psm.toml")
        #expect(c.calibrationMethod == .conformalQuantileRegression && c.calibrationMinimumSamples == 20)
        #expect(c.calibrationWindow == 144 && c.calibrationRefresh == 36 && c.originStride == 2)
        let schedule = try c.calibrationSchedule()
        #expect(schedule.horizon == 12 && schedule.window == 144 && schedule.refresh == 36)
        #expect(Self.error(Self.minimal + "\n[calibration]\nrefresh = 0\n")
                == "psm.toml: [calibration] refresh: expected an integer from 1 to 10000000, got 0")
        #expect(Self.error(Self.minimal + "\n[calibration]\norigin_stride = -1\n")?
                    .hasPrefix("psm.toml: [calibration] origin_stride: expected an integer from 1 to 1000000") == true)
    }

    @Test func everySectionIsRead() throws {
        let text = Self.minimal + """

        format = "nab"
        [backtest]
        folds = 4
        stride = 6
        min_train = 48
        [models]
        candidates = ["lstm"]
        [models.lstm]
        hidden = 8
        epochs = 2
        seed = 7
        [registry]
        dir = "/var/lib/psm/Models"
        keep = 3
        [train]
        jobs = 1
        """
        // `format` lands in [forecast] here (TOML keys follow the last header): it must be refused.
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration.parse(text, fileName: "psm.toml") }
        let fixed = text.replacingOccurrences(of: "format = \"nab\"\n", with: "")
        let c = try TrainingConfiguration.parse(fixed, fileName: "psm.toml")
        #expect(c.folds == 4 && c.backtest.stride == 6 && c.backtest.minimumTrainingLength == 48)
        #expect(c.candidates == ["lstm"])
        #expect(c.lstm.hiddenSize == 8 && c.lstm.epochs == 2 && c.lstm.seed == 7)
        #expect(c.registryDirectory == "/var/lib/psm/Models" && c.keepVersions == 3 && c.jobs == 1)
    }

    /// Found by the fuzzer (training-toml): toml++ aborted the process on these (Vendor/TOMLKit/PSM-PATCH.md).
    @Test("malformed TOML is a syntax error naming the file, not an abort",
          arguments: ["[data]\ninputs = [}\"a.csv\"]\n", "[+inf]\n", "[forecast]\nhorizon = 2026-03-01Ty12:00:00\n"])
    func malformedTOMLIsASyntaxError(text: String) {
        #expect { try TrainingConfiguration.parse(text, fileName: "psm.toml") } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.code == .syntax && e.description.hasPrefix("psm.toml: ") && e.description.contains("cannot read this text")
        }
    }

    static func error(_ text: String) -> String? {
        do {
            _ = try TrainingConfiguration.parse(text, fileName: "psm.toml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func wrongTypeNamesFileSectionKeyAndValue() {
        let text = Self.minimal.replacingOccurrences(of: "horizon = 12", with: "horizon = \"abc\"")
        #expect(Self.error(text) == "psm.toml: [forecast] horizon: expected an integer from 1 to 10000, got \"abc\"")
        let zero = Self.minimal.replacingOccurrences(of: "horizon = 12", with: "horizon = 0")
        #expect(Self.error(zero) == "psm.toml: [forecast] horizon: expected an integer from 1 to 10000, got 0")
    }

    @Test func missingRequiredKeysAreNamed() {
        let noHorizon = Self.minimal.replacingOccurrences(of: "horizon = 12", with: "")
        #expect(Self.error(noHorizon)?.hasPrefix("psm.toml: [forecast] horizon: required") == true)
        #expect(Self.error("[forecast]\nhorizon = 3\n")?.hasPrefix("psm.toml: [data] inputs: required") == true)
    }

    @Test func unknownKeysAndSectionsAreRefusedNotIgnored() {
        let typo = Self.minimal + "\n[train]\njbos = 2\n"
        #expect(Self.error(typo)?.hasPrefix("psm.toml: [train] jbos: unknown key") == true)
        #expect(Self.error(Self.minimal + "\n[trian]\njobs = 2\n")?.hasPrefix("psm.toml: trian: unknown key") == true)
        let model = Self.minimal + "\n[models]\ncandidates = [\"prophet\"]\n"
        #expect(Self.error(model)?.contains("[models] candidates: unknown model \"prophet\"") == true)
        #expect(Self.error("[data\n")?.hasPrefix("psm.toml: line 1") == true)
    }

    @Test func etsAndThetaAreCandidates() throws {
        let c = try TrainingConfiguration.parse(Self.minimal + "\n[models]\ncandidates = [\"ets\", \"theta\", \"arima\"]\n",
                                                fileName: "psm.toml")
        #expect(c.candidates == ["ets", "theta", "arima"])
        let catalog = ModelCatalog(lstm: c.lstm, arima: c.arima)
        #expect(catalog.rollingForecaster("ets")?.name == "ets" && catalog.rollingForecaster("theta")?.name == "theta")
        #expect(catalog.forecaster("ets")?.name == "ets" && catalog.forecaster("theta")?.name == "theta")
    }

    @Test func badValuesInOtherSectionsAreNamed() {
        #expect(Self.error(Self.minimal + "\n[models.lstm]\nlearning_rate = \"fast\"\n")
                == "psm.toml: [models.lstm] learning_rate: expected a number, got \"fast\"")
        #expect(Self.error(Self.minimal.replacingOccurrences(of: "[forecast]", with: "fill = \"cubic\"\n[forecast]"))
                == "psm.toml: [data] fill: expected none, linear:N or forward:N, got \"cubic\"")
        #expect(Self.error(Self.minimal + "\n[train]\njobs = 0\n") == "psm.toml: [train] jobs: expected an integer from 1 to 1024, got 0")
        #expect(Self.error(Self.minimal + "\n[models.lstm]\nbaseline = \"trend\"\n")?
                    .contains("[models.lstm] baseline: must be one of seasonal-naive, level, got trend") == true)
        #expect(Self.error(Self.minimal + "\n[models.lstm]\nseeds = 0\n")?.contains("[models.lstm] seeds") == true)
    }

    @Test func lstmSeedsAndBaselineAreRead() throws {
        let c = try TrainingConfiguration.parse(Self.minimal + "\n[models.lstm]\nseeds = 5\nbaseline = \"level\"\n",
                                                fileName: "psm.toml")
        #expect(c.lstm.seeds == 5 && c.lstm.baseline == .level)
        let d = try TrainingConfiguration.parse(Self.minimal, fileName: "psm.toml")
        #expect(d.lstm.seeds == 3 && d.lstm.baseline == .seasonalNaive)
    }

    @Test func missingFileIsNamed() {
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration.load(path: "/nonexistent/psm.toml") }
    }

    @Test func relativePathsResolveAgainstTheConfigurationDirectory() {
        var c = TrainingConfiguration(sources: [], horizon: 1, file: "/etc/psm/psm.toml")
        #expect(c.resolve("data/a.csv") == "/etc/psm/data/a.csv")
        #expect(c.resolve("/abs.csv") == "/abs.csv")
        c.file = nil
        #expect(c.resolve("data/a.csv") == "data/a.csv")
    }

    @Test func calendarFeatureKeysAndTheActuatorsStoreAreRead() throws {
        let plain = try TrainingConfiguration.parse(Self.minimal, fileName: "psm.toml")
        #expect(plain.storedNotices && plain.hourOfDay == nil && plain.dayOfWeek == nil && plain.actuatorStore == nil)
        let text = Self.minimal + """

        [calendar]
        notices = false
        hour_of_day = "cyclic"
        day_of_week = "one_hot"
        [actuator]
        interval = 300
        """
        let c = try TrainingConfiguration.parse(text, fileName: "psm.toml")
        #expect(!c.storedNotices && c.hourOfDay == .cyclic && c.dayOfWeek == .oneHot)
        // An [actuator] section without `store` means the actuator's default store.
        #expect(c.actuatorStore == "psm-actuator.sqlite")
        #expect(Self.error(Self.minimal + "\n[calendar]\nhour_of_day = \"hourly\"\n")
                == "psm.toml: [calendar] hour_of_day: expected one_hot or cyclic, got \"hourly\"")
    }
}

/// Out-of-range numbers and NUL bytes in `psm train`'s sections (hardening issue, items 2 and 6).
@Suite struct ConfigurationBoundsTests {
    /// Each case is the text after `[data] inputs`; `step` sits in `[data]` itself.
    @Test(arguments: [
        ("\n[forecast]\nhorizon = 9223372036854775807", "[forecast] horizon"),
        ("\n[forecast]\nhorizon = 12\nseason = 9223372036854775807", "[forecast] season"),
        ("\n[forecast]\nhorizon = 12\nlevels = [0.5, inf]", "[forecast] levels"),
        ("\n[forecast]\nhorizon = 12\n[backtest]\nstride = 9223372036854775807", "[backtest] stride"),
        ("\n[forecast]\nhorizon = 12\n[backtest]\nfolds = 9223372036854775807", "[backtest] folds"),
        ("\n[forecast]\nhorizon = 12\n[models.lstm]\nhidden = 9223372036854775807", "[models.lstm] hidden"),
        ("\n[forecast]\nhorizon = 12\n[models.lstm]\nlearning_rate = nan", "[models.lstm] learning_rate"),
        ("\n[forecast]\nhorizon = 12\n[registry]\nkeep = 9223372036854775807", "[registry] keep"),
        ("\nstep = 9223372036854775807\n[forecast]\nhorizon = 12", "[data] step"),
    ])
    func outOfRangeIsRefusedByName(rest: String, location: String) throws {
        let text = "[data]\ninputs = [\"a.csv\"]" + rest
        do {
            let c = try TrainingConfiguration.parse(text, fileName: "psm.toml")
            Issue.record("accepted: \(rest) → requiredLength \(c.requiredLength)")
        } catch {
            #expect(error.location == location, "\(error)")
        }
    }

    @Test func theLargestAcceptedValuesDoNotOverflow() throws {
        let text = """
        [data]
        inputs = ["a.csv"]
        [forecast]
        horizon = 10000
        season = 100000
        [backtest]
        folds = 1000
        stride = 1000000
        min_train = 100000000
        """
        let c = try TrainingConfiguration.parse(text, fileName: "psm.toml")
        #expect(c.requiredLength == 100_000_000 + 10_000 + 999 * 1_000_000)
    }

    @Test func aNULByteIsRefused() throws {
        let text = "[data]\ninputs = [\"a.csv\"]\n[forecast]\nhorizon = 12\n\u{0}[forecast]\nhorizon = x"
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration.parse(text, fileName: "psm.toml") }
        do { _ = try TrainingConfiguration.parse(text, fileName: "psm.toml") } catch {
            #expect(error.description == "psm.toml: line 5, column 1: a NUL byte: not TOML text (a binary file, or zero bytes left by an interrupted write?)")
        }
    }
}
