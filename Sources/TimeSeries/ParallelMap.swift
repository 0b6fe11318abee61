import Dispatch
import Foundation

/// `transform` over `inputs` on up to `jobs` threads, results in input order: the one parallel map
/// of the forecasters (ARIMA, ETS, Theta).
public func concurrentMap<T: Sendable>(_ inputs: [ForecastInput], jobs: Int, _ transform: @Sendable (ForecastInput) -> T) -> [T] {
    let workers = min(jobs, inputs.count)
    guard workers > 1 else { return inputs.map(transform) }
    let slots = ConcurrentSlots<T>(count: inputs.count)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while let i = slots.claim() { slots.store(transform(inputs[i]), at: i) }
    }
    return slots.collect()
}

/// Result slots filled by concurrent workers; each index is claimed once, under a lock.
private final class ConcurrentSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        defer { next += 1 }
        return next
    }

    func store(_ value: T, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }

    func collect() -> [T] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}
