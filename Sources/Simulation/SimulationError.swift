/// Why a simulation could not run: bad parameters or a trace it cannot replay.
public struct SimulationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of problem occurred.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String { case invalidParameter, invalidTrace, unknownPolicy, noGroups }
        let kind: Kind
        /// A parameter is out of range (a delay, a cost, a window, a sweep).
        public static let invalidParameter = Code(kind: .invalidParameter)
        /// The demand cannot be replayed: negative or infinite values, too few intervals.
        public static let invalidTrace = Code(kind: .invalidTrace)
        /// A policy name the simulator does not know.
        public static let unknownPolicy = Code(kind: .unknownPolicy)
        /// No group of the trace could be simulated.
        public static let noGroups = Code(kind: .noGroups)
        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
