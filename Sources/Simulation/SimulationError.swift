/// Why a simulation could not run: bad parameters or a trace it cannot replay.
package struct SimulationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of problem occurred.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String { case invalidParameter, invalidTrace, unknownPolicy, noGroups }
        let kind: Kind
        /// A parameter is out of range (a delay, a cost, a window, a sweep).
        package static let invalidParameter = Code(kind: .invalidParameter)
        /// The demand cannot be replayed: negative or infinite values, too few intervals.
        package static let invalidTrace = Code(kind: .invalidTrace)
        /// A policy name the simulator does not know.
        package static let unknownPolicy = Code(kind: .unknownPolicy)
        /// No group of the trace could be simulated.
        package static let noGroups = Code(kind: .noGroups)
        package var description: String { kind.rawValue }
    }

    package let code: Code
    package let message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
