import Foundation

/// A parameter swept over evenly spaced values (`--sweep tau=0.5:0.99:10`), to trace a policy's
/// cost-versus-unserved-demand frontier.
package struct Sweep: Sendable, Hashable, Codable {
    package enum Parameter: String, Sendable, Hashable, Codable, CaseIterable {
        /// The shadow policy's critical ratio τ (how high a demand quantile the pool covers).
        case tau
        /// The predictive policy's buffer above its point forecast.
        case buffer
        /// The reactive policy's target utilisation θ (the other policies keep theirs).
        case target

        /// The policy the parameter belongs to; the others run once.
        package var policy: PolicyKind {
            switch self {
            case .tau: return .shadow
            case .buffer: return .predictiveBuffer
            case .target: return .reactive
            }
        }
    }

    package var parameter: Parameter
    package var values: [Double]

    package init(parameter: Parameter, values: [Double]) {
        self.parameter = parameter
        self.values = values
    }

    /// Parses `NAME=FROM:TO:COUNT` (COUNT values from FROM to TO inclusive).
    package static func parse(_ text: String) throws(SimulationError) -> Sweep {
        func fail(_ why: String) -> SimulationError {
            SimulationError(.invalidParameter, "--sweep \"\(text)\": \(why); write e.g. tau=0.5:0.99:10, buffer=0:0.5:10 or target=0.5:0.9:5")
        }
        let sides = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard sides.count == 2 else { throw fail("expected NAME=FROM:TO:COUNT") }
        guard let parameter = Parameter(rawValue: sides[0].trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw fail("unknown parameter \"\(sides[0])\" (tau, buffer or target)")
        }
        let parts = sides[1].split(separator: ":").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, let from = Double(parts[0]), let to = Double(parts[1]), let count = Int(parts[2]) else {
            throw fail("expected FROM:TO:COUNT with numbers")
        }
        guard from.isFinite, to.isFinite, from <= to else { throw fail("need finite FROM ≤ TO") }
        guard count >= 1, count <= 1000 else { throw fail("COUNT must lie in 1…1000") }
        guard count > 1 || from == to else { throw fail("one value needs FROM = TO") }
        switch parameter {
        case .tau:
            guard from > 0, to < 1 else { throw fail("τ must lie strictly inside (0, 1)") }
        case .buffer:
            guard from > -1 else { throw fail("the buffer must be > −1") }
        case .target:
            guard from > 0, to <= 1 else { throw fail("the target utilisation must lie in (0, 1]") }
        }
        let values = count == 1 ? [from] : (0..<count).map { from + (to - from) * Double($0) / Double(count - 1) }
        return Sweep(parameter: parameter, values: values)
    }
}
