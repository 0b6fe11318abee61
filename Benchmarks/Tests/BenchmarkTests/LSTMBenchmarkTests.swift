@testable import Forecasting
import Foundation
import LinearAlgebra
import Testing
import TimeSeries

/// Opt-in benchmark (not a timed test): `PSM_BENCH=1 swift test -c release -Xswiftc -enable-testing
/// --filter LSTMBenchmark`. Prints one `BENCH {json}` line per measurement; bench/lstm.sh runs it
/// side by side with the PyTorch peer (bench/peers/lstm_bench.py) on identical shapes.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PSM_BENCH"] == "1"), .serialized)
struct LSTMBenchmarkTests {
    static let env = ProcessInfo.processInfo.environment
    static var threadCounts: [Int] { (env["PSM_BENCH_THREADS"] ?? "1,2").split(separator: ",").compactMap { Int($0) } }
    static let rounds = Int(env["PSM_BENCH_ROUNDS"] ?? "") ?? 5
    static let steps = Int(env["PSM_BENCH_STEPS"] ?? "") ?? 10

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// 2 layers × 64, window 168, horizon 48, 3 quantiles, 4 features, batch 64 (PyTorch: same).
    static let shape = LSTMShape(hiddenSize: 64, layers: 2, horizon: 48, quantileCount: 3, featureCount: 4)
    static let batch = 64, window = 168

    static func filledWorkspace(batch: Int) -> LSTMWorkspace<Float> {
        let ws = LSTMWorkspace<Float>(shape: shape, batch: batch, window: window)
        var rng = LSTMRandom(seed: 1)
        for i in 0..<ws.inputs.count { ws.inputs[i] = Float(rng.unit() * 2 - 1) }
        for i in 0..<ws.future.count { ws.future[i] = Float(rng.unit() * 2 - 1) }
        for i in 0..<ws.targets.count { ws.targets[i] = Float(rng.unit() * 2 - 1) }
        return ws
    }

    @Test func trainingThroughputAndForecastLatency() throws {
        let levels: [Float] = [0.1, 0.5, 0.9]
        for threads in Self.threadCounts {
            setBLASThreadCount(threads)
            let ws = Self.filledWorkspace(batch: Self.batch)
            var p = LSTMTrainer.initialParameters(Self.shape, seed: 1)
            var g = [Float](repeating: 0, count: p.count), m = g, v = g
            var step = 0
            func trainStep() throws {
                _ = try LSTMTrainer.lossAndGradient(ws, parameters: p, levels: levels, gradient: &g)
                var norm: Float = 0
                for x in g { norm += x * x }
                step += 1
                LSTMTrainer.adam(&p, gradient: g, m: &m, v: &v, rate: 1e-3, step: step, clip: min(1, 1 / norm.squareRoot()))
            }
            try trainStep()
            try trainStep()
            var rates: [Double] = []
            for _ in 0..<Self.rounds {
                let t0 = ContinuousClock.now
                for _ in 0..<Self.steps { try trainStep() }
                rates.append(Double(Self.batch * Self.steps) / Self.seconds(ContinuousClock.now - t0))
            }
            // One profiled round: the time inside GEMMs and their flops.
            let profile = LSTMGemmProfile()
            ws.profile = profile
            let t0 = ContinuousClock.now
            for _ in 0..<Self.steps { try trainStep() }
            let stepSeconds = Self.seconds(ContinuousClock.now - t0) / Double(Self.steps)
            ws.profile = nil
            let reference = try Self.replay(profile)

            // Single-forecast latency: one series, one window, batch 1 (network + head only).
            let one = Self.filledWorkspace(batch: 1)
            var latencies: [Double] = []
            for r in 0..<(Self.rounds * 20) {
                let t = ContinuousClock.now
                try LSTMTrainer.forward(one, parameters: p)
                if r >= 5 { latencies.append(Self.seconds(ContinuousClock.now - t)) }
            }
            let result: [String: Any] = [
                "side": "swift", "threads": threads, "sequences_per_s": Self.median(rates),
                "sequences_per_s_runs": rates.map { ($0 * 10).rounded() / 10 },
                "forecast_latency_ms": Self.median(latencies) * 1e3,
                "gemm_gflop_per_step": profile.flops / Double(Self.steps) / 1e9,
                "gemm_share_of_step": profile.seconds / Double(Self.steps) / stepSeconds,
                "gemm_rate_in_training_gflops": profile.flops / profile.seconds / 1e9,
                "sgemm_alone_same_shapes_gflops": reference,
            ]
            let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print("BENCH " + String(decoding: json, as: UTF8.self))
        }
    }

    /// cblas_sgemm alone on the same mix of shapes and call counts, on its own buffers.
    static func replay(_ profile: LSTMGemmProfile) throws -> Double {
        var seconds = 0.0, flops = 0.0
        for (s, count) in profile.calls {
            let a = [Float](repeating: 0.01, count: s.m * s.k), b = [Float](repeating: 0.02, count: s.k * s.n)
            var c = [Float](repeating: 0, count: s.m * s.n)
            let lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n
            try a.withUnsafeBufferPointer { pa in
                try b.withUnsafeBufferPointer { pb in
                    try c.withUnsafeMutableBufferPointer { pc in
                        func call() throws {
                            try gemm(transA: s.transA ? .transpose : .noTranspose, transB: s.transB ? .transpose : .noTranspose,
                                     m: s.m, n: s.n, k: s.k, alpha: 1, a: pa.baseAddress, lda: lda, b: pb.baseAddress,
                                     ldb: ldb, beta: 1, c: pc.baseAddress, ldc: s.n)
                        }
                        try call()
                        let t = ContinuousClock.now
                        for _ in 0..<count { try call() }
                        seconds += Self.seconds(ContinuousClock.now - t)
                    }
                }
            }
            flops += 2 * Double(s.m * s.n * s.k) * Double(count)
        }
        return flops / seconds / 1e9
    }

    /// Trains on 1,000 series × 4,000 points (one short epoch) and reports the peak resident size.
    @Test func memoryForThousandSeriesOfFourThousandPoints() throws {
        guard Self.env["PSM_BENCH_MEMORY"] != "0" else { return }
        var rng = LSTMRandom(seed: 3)
        let inputs = (0..<1000).map { s in
            let level = 1 + 99 * rng.unit()
            let values = (0..<4000).map { t in level * (1 + 0.3 * sin(2 * Double.pi * Double(t) / 24)) + rng.unit() }
            return ForecastInput(series: Series(id: "s\(s)", grid: TimeGrid(axis: .index, start: 0, step: 1, count: 4000),
                                                values: values), season: 24)
        }
        var c = LSTMConfiguration(hiddenSize: 64, layers: 2, window: 168, epochs: 1, batchSize: 64, seed: 1)
        c.batchesPerEpoch = 20
        c.seeds = 1
        c.reportsProgress = false
        let t = ContinuousClock.now
        let out = try LSTMForecaster(configuration: c).forecast(inputs, horizon: 48, levels: [0.1, 0.5, 0.9])
        let elapsed = Self.seconds(ContinuousClock.now - t)
        #expect(out.count == 1000)
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }.map(String.init) ?? "VmHWM unknown"
        let kib = Double(peak.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0)
        print("BENCH {\"side\":\"swift\",\"test\":\"memory_1000x4000\",\"peak_rss_mib\":\(kib / 1024),\"seconds\":\(elapsed)}")
        #expect(kib < 1024 * 1024, "peak RSS \(kib) KiB")
    }
}
