/// A failure of a linear-algebra operation: bad shapes, or a BLAS/LAPACK routine reporting `info != 0`.
public struct LinearAlgebraError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for matching in `catch` clauses.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case dimensionMismatch, illegalArgument, nonFiniteInput
            case singular, rankDeficient, notPositiveDefinite, noConvergence, allocationFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Operand shapes do not fit together (e.g. `A` is 2×3 and `B` is 2×2 in `A * B`).
        public static var dimensionMismatch: Code { Code(.dimensionMismatch) }
        /// A size, stride or leading dimension is invalid, or LAPACK rejected an argument (`info < 0`).
        public static var illegalArgument: Code { Code(.illegalArgument) }
        /// An input matrix or vector holds NaN or infinity.
        public static var nonFiniteInput: Code { Code(.nonFiniteInput) }
        /// The matrix is exactly singular (a zero pivot in its LU factorisation).
        public static var singular: Code { Code(.singular) }
        /// The matrix does not have full rank, so a full-rank method (QR least squares) cannot be used.
        public static var rankDeficient: Code { Code(.rankDeficient) }
        /// A Cholesky factorisation met a leading minor that is not positive definite.
        public static var notPositiveDefinite: Code { Code(.notPositiveDefinite) }
        /// An iterative algorithm (SVD, eigen decomposition) did not converge.
        public static var noConvergence: Code { Code(.noConvergence) }
        /// LAPACKE could not allocate its work space.
        public static var allocationFailed: Code { Code(.allocationFailed) }

        public var description: String {
            switch base {
            case .dimensionMismatch: "dimensionMismatch"
            case .illegalArgument: "illegalArgument"
            case .nonFiniteInput: "nonFiniteInput"
            case .singular: "singular"
            case .rankDeficient: "rankDeficient"
            case .notPositiveDefinite: "notPositiveDefinite"
            case .noConvergence: "noConvergence"
            case .allocationFailed: "allocationFailed"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The BLAS/LAPACK routine involved, e.g. `"dpotrf"`, when there is one.
    public let routine: String?
    /// The routine's `info` value when LAPACK reported the failure.
    public let info: Int?
    /// A one-line explanation, e.g. `"dpotrf: the leading minor of order 2 is not positive definite (info 2)"`.
    public let message: String

    public var description: String { message }

    @usableFromInline
    init(_ code: Code, routine: String?, info: Int? = nil, _ detail: String) {
        self.code = code
        self.routine = routine
        self.info = info
        var text = routine.map { "\($0): " } ?? ""
        text += detail
        if let info { text += " (info \(info))" }
        message = text
    }

    static func dimensionMismatch(_ routine: String, _ detail: String) -> LinearAlgebraError {
        LinearAlgebraError(.dimensionMismatch, routine: routine, detail)
    }

    static func illegalArgument(_ routine: String, _ detail: String) -> LinearAlgebraError {
        LinearAlgebraError(.illegalArgument, routine: routine, detail)
    }

    /// Maps a LAPACKE `info` value; `positive` explains the routine-specific meaning of `info > 0`.
    static func lapack(
        _ routine: String, info: Int32, positive: (Int) -> (Code, String)
    ) -> LinearAlgebraError {
        let value = Int(info)
        switch value {
        case -1010, -1011:
            return LinearAlgebraError(.allocationFailed, routine: routine, info: value,
                                      "LAPACKE could not allocate its work space")
        case ..<0:
            return LinearAlgebraError(.illegalArgument, routine: routine, info: value,
                                      "argument \(-value) had an illegal value")
        default:
            let (code, detail) = positive(value)
            return LinearAlgebraError(code, routine: routine, info: value, detail)
        }
    }
}
