/// Hyper-parameters of the LSTM forecaster; every field can be set from the command line.
public struct LSTMConfiguration: Sendable, Hashable, Codable {
    /// Units per LSTM layer.
    public var hiddenSize: Int = 64
    /// Stacked LSTM layers.
    public var layers: Int = 2
    /// Past steps the network reads before each forecast origin.
    public var window: Int = 168
    /// Maximum training epochs (early stopping may end sooner).
    public var epochs: Int = 30
    /// Mini-batches per epoch; each draws `batchSize` random windows from all series.
    public var batchesPerEpoch: Int = 50
    /// Windows per mini-batch.
    public var batchSize: Int = 64
    /// Adam's initial step size; decays by a cosine schedule to 5 % of it over `epochs`.
    public var learningRate: Double = 1e-3
    /// Gradients whose global L2 norm exceeds this are scaled down to it.
    public var gradientClip: Double = 1.0
    /// Epochs without a better validation loss before training stops.
    public var patience: Int = 5
    /// Width of a learned per-series embedding fed at every step (0 disables it).
    public var embeddingSize: Int = 0
    /// Hold out the last `horizon` points of each series for early stopping.
    public var validation: Bool = true
    /// Seed for initial weights and the order of training windows.
    public var seed: UInt64 = 42
    /// Networks trained with seeds `seed, seed + 1, …` whose quantiles are averaged.
    public var seeds: Int = 3
    /// What the network's scaled output is added to (`seasonal-naive` or the window's `level`).
    public var baseline: LSTMNormalisation.Baseline = .seasonalNaive
    /// OpenBLAS threads used while training and forecasting (results are reproducible per count).
    public var threads: Int = 1
    /// Print one progress line per epoch (epoch, losses, ETA) on stderr.
    public var reportsProgress: Bool = true
    /// Which series share one network: all series given (`global`, the default) or each VM
    /// group's own (`group`). A training-time choice: not stored in the model file.
    public var scope: LSTMScope = .global
    /// How the blend weight toward the baseline is chosen on the held-out windows (`LSTMHeldOut`):
    /// one for all series (`pooled`, the default), one per series, or none (`off`). A
    /// training-time choice: the file stores the weights chosen.
    public var blend: LSTMBlend = .pooled

    /// The fields a model file stores (`scope` and `blend` stay with the run; the weights chosen are
    /// in the series records).
    enum CodingKeys: String, CodingKey {
        case hiddenSize, layers, window, epochs, batchesPerEpoch, batchSize, learningRate, gradientClip, patience
        case embeddingSize, validation, seed, seeds, baseline, threads, reportsProgress
    }

    public init() {}

    /// A configuration with the most common fields set.
    public init(hiddenSize: Int = 64, layers: Int = 2, window: Int = 168, epochs: Int = 30,
                batchSize: Int = 64, learningRate: Double = 1e-3, seed: UInt64 = 42) {
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.window = window
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }

    /// Why the configuration cannot be used, or nil.
    public var problem: String? {
        if !(1...4096).contains(hiddenSize) { return "hidden size must be 1…4096, got \(hiddenSize)" }
        if !(1...16).contains(layers) { return "layers must be 1…16, got \(layers)" }
        if !(1...100_000).contains(window) { return "window must be 1…100000, got \(window)" }
        if !(0...100_000).contains(epochs) { return "epochs must be 0…100000, got \(epochs)" }
        if !(1...1_000_000).contains(batchesPerEpoch) { return "batches per epoch must be 1…1000000, got \(batchesPerEpoch)" }
        if !(1...100_000).contains(batchSize) { return "batch size must be 1…100000, got \(batchSize)" }
        if !(learningRate > 0 && learningRate < 10) { return "learning rate must be in (0, 10), got \(learningRate)" }
        if !(gradientClip > 0) { return "gradient clip must be positive, got \(gradientClip)" }
        if patience < 1 { return "patience must be at least 1, got \(patience)" }
        if !(0...1024).contains(embeddingSize) { return "embedding size must be 0…1024, got \(embeddingSize)" }
        if !(1...100).contains(seeds) { return "seeds must be 1…100, got \(seeds)" }
        if !(1...256).contains(threads) { return "threads must be 1…256, got \(threads)" }
        return nil
    }
}

/// Which series one LSTM network is trained on.
public enum LSTMScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// One network over every series given: all groups of a `psm train` run (shard), all series
    /// of a `psm forecast` call.
    case global
    /// One network per VM group (series without a group pooled into one in `psm forecast`).
    case group
}

/// How much of the network's correction over the baseline is kept (`LSTMHeldOut`).
public enum LSTMBlend: String, Sendable, Hashable, Codable, CaseIterable {
    /// One weight chosen on every series' held-out window together.
    case pooled
    /// One weight per series, chosen on its own held-out window (noisier: one window each).
    case series
    /// The network's forecast as is.
    case off
}
