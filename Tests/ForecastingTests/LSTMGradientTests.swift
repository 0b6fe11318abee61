@testable import Forecasting
import Testing

/// Back-propagation against central finite differences, in Double, for every parameter block.
@Suite struct LSTMGradientTests {
    /// A tiny but complete network: 2 layers, features, embedding, 3 quantiles, a missing target.
    static func workspace(initialState: Bool, seed: UInt64) -> (LSTMWorkspace<Double>, [Double]) {
        let shape = LSTMShape(hiddenSize: 3, layers: 2, horizon: 2, quantileCount: 3, featureCount: 2,
                              embeddingSize: 2, seriesCount: 3)
        let batch = 3, window = 4
        let ws = LSTMWorkspace<Double>(shape: shape, batch: batch, window: window)
        var rng = LSTMRandom(seed: seed)
        func normal() -> Double { (rng.unit() + rng.unit() + rng.unit() - 1.5) * 2 }
        for t in 0..<window {
            for b in 0..<batch {
                let row = (t * batch + b) * shape.inputSize
                ws.inputs[row] = normal()
                ws.inputs[row + 1] = rng.unit() < 0.8 ? 1 : 0
                ws.inputs[row + 2] = normal()
                ws.inputs[row + 3] = normal()
            }
        }
        for i in 0..<ws.future.count { ws.future[i] = normal() }
        for i in 0..<ws.targets.count { ws.targets[i] = normal() }
        ws.targets[3] = .nan
        ws.seriesIndex = [2, 0, -1]
        if initialState {
            ws.initialState = (0..<shape.layers).map { _ in
                ((0..<(batch * 3)).map { _ in normal() * 0.5 }, (0..<(batch * 3)).map { _ in normal() })
            }
        }
        let parameters = (0..<shape.parameterCount).map { _ in normal() * 0.6 }
        return (ws, parameters)
    }

    @Test(arguments: [false, true])
    func backPropagationMatchesFiniteDifferencesForEveryBlock(initialState: Bool) throws {
        let levels = [0.1, 0.5, 0.9]
        let (ws, parameters) = Self.workspace(initialState: initialState, seed: initialState ? 7 : 3)
        let (loss, gradient) = try ws.lossAndGradient(parameters, levels: levels)
        #expect(loss > 0)
        // Central differences have truncation error O(ε²·f''') ≈ 1e-12 and rounding error
        // ≈ 1e-16/ε = 1e-10 at ε = 1e-6; gradients here are 1e-4…1e-1, so 1e-7 absolute plus
        // 1e-5 relative separates a correct gradient from any wrong term by orders of magnitude.
        // The pinball kink could only be crossed if a target lay within 1e-6 of a quantile.
        let eps = 1e-6
        for block in ws.shape.blocks {
            var worst = 0.0, nonZero = 0
            for i in block.offset..<(block.offset + block.count) {
                var plus = parameters, minus = parameters
                plus[i] += eps
                minus[i] -= eps
                let numeric = (try ws.loss(plus, levels: levels) - ws.loss(minus, levels: levels)) / (2 * eps)
                worst = max(worst, abs(numeric - gradient[i]) - 1e-5 * abs(numeric))
                if abs(numeric) > 1e-9 { nonZero += 1 }
            }
            #expect(worst < 1e-7, "block \(block.name): worst excess error \(worst)")
            // Every block must actually influence the loss, or the check would be vacuous.
            #expect(nonZero > 0, "block \(block.name) has no effect on the loss")
        }
    }

    @Test func quantilesNeverCrossWhateverTheWeights() throws {
        let (ws, parameters) = Self.workspace(initialState: false, seed: 11)
        let scaled = parameters.map { $0 * 20 }
        _ = try ws.loss(scaled, levels: [0.1, 0.5, 0.9])
        let q = ws.shape.quantileCount
        for r in 0..<(ws.batch * ws.shape.horizon) {
            for k in 1..<q { #expect(ws.quantiles[r * q + k] >= ws.quantiles[r * q + k - 1]) }
        }
    }
}
