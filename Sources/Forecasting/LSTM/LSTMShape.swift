/// The dimensions of an LSTM forecasting network and where each parameter block sits in its flat
/// parameter vector.
///
/// Per time step the network reads `[scaled value, observed flag, features…, embedding…]`; each
/// layer has one fused weight `[(inputs + hidden) × 4·hidden]` (gate order i, f, g, o, as in
/// PyTorch) so that the input rows and the recurrent rows are contiguous blocks of one matrix, and
/// one bias. The head maps `[last hidden state, features of the H future steps]` to H × Q values.
public struct LSTMShape: Sendable, Hashable, Codable {
    public var hiddenSize: Int
    public var layers: Int
    /// Forecast steps produced at once.
    public var horizon: Int
    /// Quantile levels produced per step.
    public var quantileCount: Int
    /// Regressor columns per time step.
    public var featureCount: Int
    /// Width of the learned per-series embedding (0 = none).
    public var embeddingSize: Int
    /// Rows of the embedding table (the training series).
    public var seriesCount: Int

    public init(hiddenSize: Int, layers: Int, horizon: Int, quantileCount: Int, featureCount: Int,
                embeddingSize: Int = 0, seriesCount: Int = 0) {
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.horizon = horizon
        self.quantileCount = quantileCount
        self.featureCount = featureCount
        self.embeddingSize = embeddingSize
        self.seriesCount = embeddingSize > 0 ? seriesCount : 0
    }

    /// Value and observed-flag columns that precede the features in every step's input.
    static let valueColumns = 2

    /// The per-step input width of the first layer.
    public var inputSize: Int { Self.valueColumns + featureCount + embeddingSize }
    /// Column of the first embedding input.
    var embeddingColumn: Int { Self.valueColumns + featureCount }
    /// The input width of layer `l`.
    func layerInputSize(_ l: Int) -> Int { l == 0 ? inputSize : hiddenSize }
    /// Inputs of the output head: the last hidden state and the future features.
    var headInputSize: Int { hiddenSize + horizon * featureCount }
    /// Outputs of the head: H × Q raw values, turned into non-crossing quantiles.
    var headOutputSize: Int { horizon * quantileCount }
    var gateSize: Int { 4 * hiddenSize }

    /// Offsets of the parameter blocks in the flat vector.
    struct Layout: Sendable {
        var weights: [Int] = []
        var biases: [Int] = []
        var headWeights = 0
        var headBias = 0
        var embedding = 0
        var count = 0
    }

    var layout: Layout {
        var layout = Layout()
        var offset = 0
        for l in 0..<layers {
            layout.weights.append(offset)
            offset += (layerInputSize(l) + hiddenSize) * gateSize
            layout.biases.append(offset)
            offset += gateSize
        }
        layout.headWeights = offset
        offset += headInputSize * headOutputSize
        layout.headBias = offset
        offset += headOutputSize
        layout.embedding = offset
        offset += seriesCount * embeddingSize
        layout.count = offset
        return layout
    }

    /// The number of parameters.
    public var parameterCount: Int { layout.count }

    /// Named parameter blocks `(name, offset, count)`, for gradient checks and diagnostics.
    var blocks: [(name: String, offset: Int, count: Int)] {
        let layout = self.layout
        var blocks: [(String, Int, Int)] = []
        for l in 0..<layers {
            blocks.append(("layer\(l).weights.input", layout.weights[l], layerInputSize(l) * gateSize))
            blocks.append(("layer\(l).weights.recurrent", layout.weights[l] + layerInputSize(l) * gateSize,
                           hiddenSize * gateSize))
            blocks.append(("layer\(l).bias", layout.biases[l], gateSize))
        }
        blocks.append(("head.weights", layout.headWeights, headInputSize * headOutputSize))
        blocks.append(("head.bias", layout.headBias, headOutputSize))
        if seriesCount * embeddingSize > 0 {
            blocks.append(("embedding", layout.embedding, seriesCount * embeddingSize))
        }
        return blocks
    }

    /// Checks sizes before anything is allocated; returns a message when the shape is unusable.
    func problem() -> String? {
        if hiddenSize < 1 || hiddenSize > 4096 { return "hidden size must be 1…4096, got \(hiddenSize)" }
        if layers < 1 || layers > 16 { return "layers must be 1…16, got \(layers)" }
        if horizon < 1 || horizon > 100_000 { return "horizon must be 1…100000, got \(horizon)" }
        if quantileCount < 1 || quantileCount > 1000 { return "quantile count must be 1…1000, got \(quantileCount)" }
        if featureCount < 0 || featureCount > 10_000 { return "feature count must be 0…10000, got \(featureCount)" }
        if embeddingSize < 0 || embeddingSize > 1024 { return "embedding size must be 0…1024, got \(embeddingSize)" }
        if seriesCount < 0 || seriesCount > 10_000_000 { return "series count must be 0…10000000, got \(seriesCount)" }
        let (head, overflow) = headInputSize.multipliedReportingOverflow(by: headOutputSize)
        if overflow || head > 1 << 31 { return "the output head would have too many weights" }
        return nil
    }
}
