@testable import Forecasting
import Testing
import TimeSeries

@Suite struct LSTMDivergenceTests {
    @Test func nanGradientStopsTrainingWithAMessageAndKeepsTheBestEpoch() throws {
        var c = LSTMBadInputTests.quick
        c.epochs = 6
        c.validation = false
        let items = [LSTMBadInputTests.wave(300, level: 10, seed: 1), LSTMBadInputTests.wave(300, level: 3, seed: 8)]
            .enumerated().map { i, y in
                LSTMDataset.Item(values: y, regressors: [], rows: 0,
                                 scaling: LSTMSeriesScaling.fit(y, seriesID: "s\(i)")!.scaling, lower: 0, upper: -1,
                                 validationOrigin: nil)
            }
        let data = LSTMDataset(items: items, window: c.window, horizon: 12, features: .none,
                               normalisation: LSTMNormalisation(season: 24, baseline: .seasonalNaive), validation: false)
        let shape = LSTMShape(hiddenSize: c.hiddenSize, layers: c.layers, horizon: 12, quantileCount: 1, featureCount: 0)
        var parameters = LSTMTrainer.initialParameters(shape, seed: 1)
        let report = try LSTMTrainer.train(data, shape: shape, levels: [0.5], configuration: c, parameters: &parameters,
                                           poison: (epoch: 4, batch: 2))
        #expect(report.diverged)
        #expect(report.stopReason.contains("diverged at epoch 4, batch 3"), "\(report.stopReason)")
        #expect(report.epochs == 3)
        #expect((1...3).contains(report.bestEpoch))
        #expect(report.stopReason.contains("kept the weights of epoch \(report.bestEpoch)"))
        #expect(parameters.allSatisfy { $0.isFinite })
    }
}
