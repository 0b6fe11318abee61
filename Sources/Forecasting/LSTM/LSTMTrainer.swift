#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// What happened during training, for diagnostics and reports.
public struct LSTMTrainingReport: Sendable, Hashable, Codable {
    /// Epochs run (including the ones after the best).
    package var epochs: Int = 0
    /// The epoch whose weights were kept (1-based; 0 = the initial weights).
    package var bestEpoch: Int = 0
    /// Mean training pinball loss per epoch (scaled units).
    package var trainingLoss: [Double] = []
    /// Validation pinball loss per epoch (scaled units), empty without a validation window.
    package var validationLoss: [Double] = []
    /// Why training ended: "epochs", "early stopping", or the divergence message.
    package var stopReason: String = ""
    /// True when training stopped because the loss diverged.
    package var diverged = false
    /// Per trained level, the share of held-out targets at or below the averaged members'
    /// quantile (the last `horizon` points of each series); empty without a validation split.
    package var validationCoverage: [Double] = []
    /// The quantile levels `validationCoverage` refers to.
    package var validationLevels: [Double] = []
    /// The blend weight pooled over every series' held-out window (`LSTMHeldOut`): what a series
    /// not seen in training is forecast with; nil without a held-out check (1: the network as is).
    package var blend: Double?
    /// Members trained (seeds) and the epoch each kept.
    package var memberEpochs: [Int] = []
    /// Training windows seen per second.
    package var windowsPerSecond: Double = 0
    public var seconds: Double = 0

    public init() {}

    /// ", validation coverage 0.1: 0.12, 0.5: 0.49, …" or "" without a validation split.
    package var coverageNote: String {
        guard !validationCoverage.isEmpty, validationCoverage.count == validationLevels.count else { return "" }
        let pairs = zip(validationLevels, validationCoverage).map { "\($0): \(LSTMTrainer.format($1))" }
        return ", held-out coverage " + pairs.joined(separator: ", ")
    }
}

/// Mini-batch training with Adam, global-norm gradient clipping, a cosine learning-rate schedule
/// and early stopping on the held-out window of each series.
enum LSTMTrainer {
    /// PyTorch's LSTM initialisation (uniform ±1/√hidden) with the forget-gate bias at 1 so that
    /// memory is kept at first; the head uniform ±1/√inputs, its spread terms starting near
    /// softplus⁻¹(0.1) so that the initial quantiles are distinct.
    static func initialParameters(_ shape: LSTMShape, seed: UInt64) -> [Float] {
        var rng = LSTMRandom(seed: seed)
        let layout = shape.layout, h = shape.hiddenSize
        var p = [Float](repeating: 0, count: layout.count)
        let bound = 1 / Double(h).squareRoot()
        func uniform(_ b: Double) -> Float { Float((rng.unit() * 2 - 1) * b) }
        for l in 0..<shape.layers {
            for i in layout.weights[l]..<layout.biases[l] { p[i] = uniform(bound) }
            for j in 0..<shape.gateSize { p[layout.biases[l] + j] = j / h == 1 ? 1 : 0 }
        }
        let headBound = 1 / Double(shape.headInputSize).squareRoot()
        for i in layout.headWeights..<layout.headBias { p[i] = uniform(headBound) }
        for r in 0..<shape.horizon {
            for k in 1..<max(shape.quantileCount, 1) { p[layout.headBias + r * shape.quantileCount + k] = -2.25 }
        }
        for i in layout.embedding..<layout.count { p[i] = uniform(0.1) }
        return p
    }

    static func train(_ data: LSTMDataset, shape: LSTMShape, levels: [Float], configuration c: LSTMConfiguration,
                      parameters: inout [Float], poison: (epoch: Int, batch: Int)? = nil) throws(ForecastError) -> LSTMTrainingReport {
        var report = LSTMTrainingReport()
        let clock = ContinuousClock(), began = clock.now
        setBLASThreadCount(c.threads)
        var rng = LSTMRandom(seed: c.seed ^ 0x5EED_0F_DA7A)
        let ws = LSTMWorkspace<Float>(shape: shape, batch: c.batchSize, window: c.window)
        let count = parameters.count
        var gradient = [Float](repeating: 0, count: count)
        var m = [Float](repeating: 0, count: count), v = [Float](repeating: 0, count: count)
        var best = parameters
        var bestLoss = Double.infinity, bestTraining = Double.infinity
        var sinceBest = 0, step = 0, windowsSeen = 0
        let validationItems = Array(data.validationItems.prefix(1024))

        guard data.trainingWindowCount > 0 else {
            report.stopReason = "no training windows"
            return report
        }
        epochs: for epoch in 1...max(c.epochs, 1) where c.epochs > 0 {
            // Cosine decay from the initial rate to 5 % of it.
            let progress = Double(epoch - 1) / Double(max(c.epochs - 1, 1))
            let rate = c.learningRate * (0.05 + 0.95 * 0.5 * (1 + cos(Double.pi * progress)))
            var epochLoss = 0.0, epochBatches = 0
            for batchIndex in 0..<c.batchesPerEpoch {
                for b in 0..<c.batchSize {
                    let (item, origin) = data.sample(&rng)
                    data.fill(ws, row: b, item: item, origin: origin)
                }
                let (loss, _) = try lossAndGradient(ws, parameters: parameters, levels: levels, gradient: &gradient)
                // Tests simulate a numerical blow-up here (a NaN gradient) to check the recovery.
                if let poison, poison.epoch == epoch, poison.batch == batchIndex { gradient[0] = .nan }
                var norm = 0.0
                for g in gradient { norm += Double(g) * Double(g) }
                norm = norm.squareRoot()
                guard loss.isFinite, norm.isFinite else {
                    parameters = best
                    report.diverged = true
                    report.stopReason = "training diverged at epoch \(epoch), batch \(batchIndex + 1) "
                        + "(loss \(loss), gradient norm \(norm)); kept the weights of epoch \(report.bestEpoch)"
                    break epochs
                }
                let clip = Float(norm > c.gradientClip ? c.gradientClip / norm : 1)
                step += 1
                adam(&parameters, gradient: gradient, m: &m, v: &v, rate: Float(rate), step: step, clip: clip)
                epochLoss += Double(loss)
                epochBatches += 1
                windowsSeen += c.batchSize
            }
            epochLoss /= Double(max(epochBatches, 1))
            report.epochs = epoch
            report.trainingLoss.append(epochLoss)
            // A loss far above the best one seen means the steps are no longer descending.
            if epochLoss > 10 * bestTraining {
                parameters = best
                report.diverged = true
                report.stopReason = "training loss diverged at epoch \(epoch) (\(epochLoss) vs best \(bestTraining)); "
                    + "kept the weights of epoch \(report.bestEpoch)"
                break
            }
            bestTraining = min(bestTraining, epochLoss)
            var monitored = epochLoss
            if !validationItems.isEmpty {
                let validation = try validationLoss(data, items: validationItems, workspace: ws, levels: levels,
                                                    parameters: parameters)
                report.validationLoss.append(validation)
                monitored = validation
            }
            if monitored < bestLoss * (1 - 1e-4) || report.bestEpoch == 0 {
                bestLoss = monitored
                best = parameters
                report.bestEpoch = epoch
                sinceBest = 0
            } else {
                sinceBest += 1
            }
            let elapsed = seconds(clock.now - began)
            if c.reportsProgress {
                let eta = elapsed / Double(epoch) * Double(c.epochs - epoch)
                let val = report.validationLoss.last.map { " validation \(format($0))" } ?? ""
                printError("lstm: epoch \(epoch)/\(c.epochs) loss \(format(epochLoss))\(val) lr \(format(rate)) "
                      + "\(format(elapsed)) s, ETA \(format(eta)) s")
            }
            if sinceBest >= c.patience {
                report.stopReason = "early stopping (no improvement for \(c.patience) epochs)"
                break
            }
        }
        if report.stopReason.isEmpty { report.stopReason = "all \(c.epochs) epochs run" }
        if !report.diverged { parameters = best }
        report.seconds = seconds(clock.now - began)
        report.windowsPerSecond = Double(windowsSeen) / max(report.seconds, 1e-9)
        return report
    }

    /// Forward, loss and back-propagation of one batch into `gradient` (zeroed first). Concrete
    /// in Float so that the generic workspace is specialised here, inside the module.
    static func lossAndGradient(_ ws: LSTMWorkspace<Float>, parameters: [Float], levels: [Float],
                                gradient: inout [Float]) throws(ForecastError) -> (loss: Float, observed: Int) {
        gradient.withUnsafeMutableBufferPointer { g in g.update(repeating: 0) }
        do {
            return try parameters.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) -> (Float, Int) in
                guard let base = p.baseAddress else { return (0, 0) }
                try ws.forward(base)
                let result = ws.pinballLoss(levels: levels)
                try gradient.withUnsafeMutableBufferPointer { (g) throws(LinearAlgebraError) in
                    guard let gBase = g.baseAddress else { return }
                    try ws.backward(base, into: gBase)
                }
                return result
            }
        } catch {
            throw ForecastError(.numericalFailure, "LSTM training: \(error)")
        }
    }

    /// The forward pass alone (validation, benchmarks).
    static func forward(_ ws: LSTMWorkspace<Float>, parameters: [Float]) throws(ForecastError) {
        do {
            try parameters.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                guard let base = p.baseAddress else { return }
                try ws.forward(base)
            }
        } catch {
            throw ForecastError(.numericalFailure, "LSTM forward pass: \(error)")
        }
    }

    /// Adam (Kingma & Ba 2015) with bias correction; `clip` scales the gradient first.
    static func adam(_ p: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float],
                     rate: Float, step: Int, clip: Float) {
        let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
        let c1 = 1 - Float(pow(Double(beta1), Double(step))), c2 = 1 - Float(pow(Double(beta2), Double(step)))
        let stepSize = rate / c1, c2Root = c2.squareRoot()
        p.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            let gi = g[i] * clip
                            m[i] = beta1 * m[i] + (1 - beta1) * gi
                            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / c2Root + epsilon)
                        }
                    }
                }
            }
        }
    }

    /// Mean pinball loss over the held-out windows, weighted by observed targets.
    static func validationLoss(_ data: LSTMDataset, items: [Int], workspace ws: LSTMWorkspace<Float>,
                               levels: [Float], parameters: [Float]) throws(ForecastError) -> Double {
        var total = 0.0, observed = 0
        var start = 0
        while start < items.count {
            for b in 0..<ws.batch {
                let k = start + b
                if k < items.count, let origin = data.items[items[k]].validationOrigin {
                    data.fill(ws, row: b, item: items[k], origin: origin)
                } else {
                    data.fill(ws, row: b, item: nil, origin: 0)
                }
            }
            try forward(ws, parameters: parameters)
            let (loss, n) = ws.pinballLoss(levels: levels)
            total += Double(loss) * Double(n)
            observed += n
            start += ws.batch
        }
        return observed > 0 ? total / Double(observed) : .infinity
    }

    /// One line on stderr (file descriptor 2, which needs no shared `FILE*`).
    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let magnitude = abs(x)
        if magnitude >= 100 { return String(Int(x.rounded())) }
        let digits = magnitude >= 1 ? 2 : 4
        let p = pow(10.0, Double(digits))
        return String((x * p).rounded() / p)
    }
}
