import ArgumentParser
import Forecasting

/// The LSTM forecaster's hyper-parameters on the command line (used with `--model lstm`).
///
/// Wiring: `@OptionGroup(title: "LSTM") var lstm: LSTMOptions` in a command, and
/// `case "lstm": return LSTMForecaster(configuration: lstm.configuration)` in the catalog.
extension LSTMNormalisation.Baseline: ExpressibleByArgument {}
extension LSTMScope: ExpressibleByArgument {}
extension LSTMBlend: ExpressibleByArgument {}

struct LSTMOptions: ParsableArguments {
    @Option(name: .customLong("lstm-hidden"), help: "LSTM units per layer.") var hidden = 64

    @Option(name: .customLong("lstm-layers"), help: "Stacked LSTM layers.") var layers = 2

    @Option(name: .customLong("lstm-window"), help: "Past steps the network reads before each forecast origin.")
    var window = 168

    @Option(name: .customLong("lstm-epochs"), help: "Maximum training epochs (early stopping may end sooner).")
    var epochs = 30

    @Option(name: .customLong("lstm-batches"), help: "Mini-batches per epoch.") var batchesPerEpoch = 50

    @Option(name: .customLong("lstm-batch-size"), help: "Windows per mini-batch.") var batchSize = 64

    @Option(name: .customLong("lstm-learning-rate"), help: "Adam's initial step size (cosine decay to 5 %).")
    var learningRate = 1e-3

    @Option(name: .customLong("lstm-embedding"), help: "Width of a learned per-series embedding (0 = none).")
    var embedding = 0

    @Option(name: .customLong("lstm-seed"), help: "Seed for initial weights and window order.") var seed: UInt64 = 42

    @Option(name: .customLong("lstm-seeds"), help: "Networks trained with seeds seed, seed+1, … whose quantiles are averaged.")
    var seeds = 3

    @Option(name: .customLong("lstm-baseline"),
            help: "What the network's window-scaled output is added to: seasonal-naive or level.")
    var baseline: LSTMNormalisation.Baseline = .seasonalNaive

    @Option(name: .customLong("lstm-scope"),
            help: "Which series share one network: global (all series given) or group (one per VM group).")
    var scope: LSTMScope = .global

    @Option(name: .customLong("lstm-threads"), help: "OpenBLAS threads (results are reproducible per count).")
    var threads = 1

    @Option(name: .customLong("lstm-blend"),
            help: "Blend toward the baseline chosen on the held-out windows: pooled (one weight), series (one per series) or off.")
    var blend: LSTMBlend = .pooled

    @Flag(name: .customLong("lstm-quiet"), help: "No per-epoch progress lines on stderr.") var quiet = false

    func validate() throws {
        if let problem = configuration.problem { throw ValidationError("--lstm-*: \(problem)") }
    }

    /// The configuration these options describe.
    var configuration: LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: hidden, layers: layers, window: window, epochs: epochs,
                                  batchSize: batchSize, learningRate: learningRate, seed: seed)
        c.batchesPerEpoch = batchesPerEpoch
        c.embeddingSize = embedding
        c.seeds = seeds
        c.baseline = baseline
        c.scope = scope
        c.blend = blend
        c.threads = threads
        c.reportsProgress = !quiet
        return c
    }
}
