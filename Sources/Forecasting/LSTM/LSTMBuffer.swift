/// A fixed-size, zero-initialised scratch buffer for the LSTM's hot loops: allocated once per
/// workspace so that no time step allocates.
final class LSTMBuffer<S: LSTMScalar> {
    let count: Int
    let pointer: UnsafeMutablePointer<S>

    init(_ count: Int) {
        self.count = max(count, 0)
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    func zero() { pointer.update(repeating: 0, count: count) }

    subscript(i: Int) -> S {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    var array: [S] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
