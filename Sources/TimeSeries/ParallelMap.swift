import Dispatch
import Synchronization

/// `transform` over `inputs` on up to `jobs` threads, results in input order: the one parallel map
/// of psm (the forecasters' series, the training job's groups, the simulator's groups and policy
/// runs). Workers take the next input as they finish one, so uneven inputs balance. `completed`,
/// when given, is called on the worker's thread after each input with its result and the number
/// done so far (progress lines).
package func parallelMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], jobs: Int, _ transform: @Sendable (Input) -> Output,
    completed: (@Sendable (Output, Int) -> Void)? = nil
) -> [Output] {
    let workers = min(jobs, inputs.count)
    guard workers > 1 else {
        return inputs.enumerated().map { i, input in
            let output = transform(input)
            completed?(output, i + 1)
            return output
        }
    }
    let slots = Mutex<(next: Int, done: Int, results: [Output?])>((0, 0, Array(repeating: nil, count: inputs.count)))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let i: Int = slots.withLock { s in
                defer { s.next += 1 }
                return s.next
            }
            guard i < inputs.count else { return }
            let output = transform(inputs[i])
            let done: Int = slots.withLock { s in
                s.results[i] = output
                s.done += 1
                return s.done
            }
            completed?(output, done)
        }
    }
    return slots.withLock { $0.results.map { $0! } }
}
