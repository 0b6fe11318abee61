import GRDB

/// A failure of the metric store: what went wrong (`code`), where, and the SQLite error behind it.
public struct MetricStoreError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, stable for callers to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case cannotOpen, notADatabase, migrationFailed, invalidSeries, incompatibleSeries
            case invalidEvent, corruptData, rangeTooLarge, sqlite, unavailable, leaseLost, postgres, illegalTransition
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file or its directory cannot be opened or created.
        package static let cannotOpen = Code(.cannotOpen)
        /// The file exists but is not an SQLite database.
        package static let notADatabase = Code(.notADatabase)
        /// The schema could not be brought up to date.
        package static let migrationFailed = Code(.migrationFailed)
        /// A series to insert is malformed (an empty id, for example).
        package static let invalidSeries = Code(.invalidSeries)
        /// A series to insert disagrees with the stored one (axis, step or grid alignment).
        package static let incompatibleSeries = Code(.incompatibleSeries)
        /// An event to insert is malformed (end not after start, for example).
        package static let invalidEvent = Code(.invalidEvent)
        /// Stored rows cannot be decoded (written by something other than this store).
        package static let corruptData = Code(.corruptData)
        /// A read would rebuild more grid positions than `MetricStore.maximumReadPositions`.
        package static let rangeTooLarge = Code(.rangeTooLarge)
        /// Any other SQLite failure (constraint, I/O, busy, …); see `cause`.
        public static let sqlite = Code(.sqlite)
        /// The database server cannot be reached, or did not answer within the store's timeout; the
        /// call wrote nothing it reports, and the next call reconnects.
        package static let unavailable = Code(.unavailable)
        /// A fenced write was refused: the group's lease token is no longer current (another owner
        /// took the group, or the lease expired or was released). Nothing was written.
        package static let leaseLost = Code(.leaseLost)
        /// Any other PostgreSQL failure (constraint, syntax, …); see `cause`.
        public static let postgres = Code(.postgres)
        /// A shadow state change the lifecycle does not allow (`ShadowLifecycle`): the message names
        /// the shadow and both states. Nothing was written.
        package static let illegalTransition = Code(.illegalTransition)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// The database file concerned, when there is one.
    public let path: String?
    /// The underlying error, typically a GRDB `DatabaseError` with the SQLite result code.
    package let cause: (any Error & Sendable)?

    package init(_ code: Code, _ message: String, path: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    public var description: String {
        var text = "metric store error (\(code)): \(message)"
        if let path { text += " [\(path)]" }
        if let cause { text += " — caused by: \(cause)" }
        return text
    }

    /// Maps any error thrown inside a database access to a `MetricStoreError`, once, at the boundary.
    package static func wrap(_ error: any Error, _ what: String, path: String?) -> MetricStoreError {
        if let own = error as? MetricStoreError { return own }
        if let db = error as? DatabaseError {
            let code: Code
            switch db.resultCode {
            case .SQLITE_NOTADB: code = .notADatabase
            case .SQLITE_CANTOPEN: code = .cannotOpen
            case .SQLITE_CORRUPT: code = .corruptData
            default: code = .sqlite
            }
            let reason = db.message ?? "\(db.resultCode)"
            return MetricStoreError(code, "\(what): \(reason) (SQLite code \(db.extendedResultCode.rawValue))",
                                    path: path, cause: db)
        }
        return MetricStoreError(.sqlite, "\(what): \(error)", path: path, cause: SendableDescription(error))
    }
}

/// Keeps the text of a non-Sendable error so it can travel as a cause.
package struct SendableDescription: Error, CustomStringConvertible, Sendable {
    public let description: String
    package init(_ error: any Error) { description = String(describing: error) }
}
