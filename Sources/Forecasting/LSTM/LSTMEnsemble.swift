import LinearAlgebra

extension LSTMWorkspace where S == Float {
    /// Runs every member network (one per training seed) on the filled inputs and leaves the mean
    /// of their quantiles in `quantiles`: averaging each level's quantile keeps them non-crossing.
    func forwardEnsemble(_ members: [[Float]]) throws(ForecastError) {
        do {
            guard members.count > 1 else {
                try members[0].withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                    guard let base = p.baseAddress else { return }
                    try forward(base)
                }
                return
            }
            let n = batch * shape.headOutputSize
            var sum = [Float](repeating: 0, count: n)
            for member in members {
                try member.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                    guard let base = p.baseAddress else { return }
                    try forward(base)
                }
                for i in 0..<n { sum[i] += quantiles[i] }
            }
            let scale = 1 / Float(members.count)
            for i in 0..<n { quantiles[i] = sum[i] * scale }
        } catch {
            throw ForecastError(.numericalFailure, "LSTM forward pass: \(error)")
        }
    }
}
