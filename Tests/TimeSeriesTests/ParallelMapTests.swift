import Synchronization
import Testing
import TimeSeries

/// psm's one parallel map: results in input order whatever the threads, every input once, and the
/// progress callback once per input with the running count.
@Suite struct ParallelMapTests {
    @Test(arguments: [1, 2, 3, 16])
    func resultsKeepTheInputOrderAndEveryInputRunsOnce(jobs: Int) {
        let inputs = Array(0..<200)
        let calls = Mutex([Int](repeating: 0, count: inputs.count))
        let counts = Mutex([Int]())
        let out = parallelMap(inputs, jobs: jobs, { i -> Int in
            calls.withLock { $0[i] += 1 }
            // Uneven work, so that workers finish out of order.
            var x = 0
            for k in 0..<(i % 7) * 2_000 { x &+= k }
            return i * i + (x == -1 ? 1 : 0)
        }, completed: { _, done in counts.withLock { $0.append(done) } })
        #expect(out == inputs.map { $0 * $0 })
        #expect(calls.withLock { $0 } == [Int](repeating: 1, count: inputs.count))
        #expect(counts.withLock { $0.sorted() } == Array(1...inputs.count))
    }

    @Test func noInputsGiveNoOutputs() {
        #expect(parallelMap([Int](), jobs: 4, { $0 }).isEmpty)
    }
}
