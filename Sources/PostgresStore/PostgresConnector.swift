import Foundation
import Logging
import MetricStore
import NIOCore
import NIOPosix
import PostgresNIO

/// The one connection of a `PostgresStore`, and the bridge from its synchronous contract to
/// PostgresNIO's futures.
///
/// Why blocking: `ActuatorStore` is synchronous (as GRDB is) and called from the runtime's actor,
/// the collector's serial queue and the API. Each call runs its queries on this connector's own
/// event loop (one thread, never shared) and the calling thread waits on the future, bounded by
/// `timeout`. The caller is never that event loop, so the wait cannot deadlock it; a caller on
/// another event loop (none today) would stall only its own loop, as an SQLite call does.
///
/// One transaction at a time (`lock`), as SQLite's single writer: a store call is one short
/// transaction, and the runtime serialises its cycle anyway. A call that finds the connection
/// gone reconnects; a call that loses it (server stopped, backend terminated, timeout) fails with
/// `.unavailable` and drops it, so the next call reconnects.
final class PostgresConnector: @unchecked Sendable {
    let location: PostgresLocation
    let timeout: TimeAmount
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    /// Guards `connection` and `nextID`, and is held for a whole call (one transaction at a time).
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var nextID = 1

    init(location: PostgresLocation, timeout: TimeAmount) {
        self.location = location
        self.timeout = timeout
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "psm.postgres-store")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit {
        lock.lock()
        let open = connection
        connection = nil
        lock.unlock()
        if let open { try? open.close().wait() }
        try? group.syncShutdownGracefully()
    }

    /// Runs `body` on the connection, in one transaction when `transaction` (BEGIN … COMMIT;
    /// ROLLBACK on any error), mapping every failure to `MetricStoreError` once.
    @discardableResult
    func run<T>(_ what: String, transaction: Bool = true, _ body: (PostgresSession) throws -> T) throws(MetricStoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            let session = PostgresSession(connection: try connected(), timeout: timeout, logger: logger)
            guard transaction else { return try body(session) }
            try session.execute("BEGIN")
            do {
                let result = try body(session)
                try session.execute("COMMIT")
                return result
            } catch {
                // A lost connection is not rolled back over itself (the server rolls back what a
                // closed session left open; a ROLLBACK sent to it would wait for the timeout).
                let lost = Self.map(error, what, location: location.description).code == .unavailable
                if !lost, !session.connection.isClosed { try? session.execute("ROLLBACK") }
                throw error
            }
        } catch {
            let mapped = Self.map(error, what, location: location.description)
            if mapped.code == .unavailable { dropConnection() }
            throw mapped
        }
    }

    /// Closes the connection now (the next call reconnects).
    func dropConnection() {
        guard let open = connection else { return }
        connection = nil
        // Kept until closed: PostgresNIO requires a connection to be closed before it is released.
        open.close().whenComplete { _ in withExtendedLifetime(open) {} }
    }

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let loop = group.next()
        precondition(!loop.inEventLoop, "a PostgresStore call on its own event loop would deadlock")
        nextID += 1
        let future = PostgresConnection.connect(on: loop, configuration: location.configuration(connectTimeout: timeout),
                                                id: nextID, logger: logger)
        let fresh = try PostgresSession.wait(future, timeout: timeout, what: "connecting")
        connection = fresh
        return fresh
    }

    /// The one mapping of PostgresNIO, NIO and timeout errors to the store's error.
    static func map(_ error: any Error, _ what: String, location: String) -> MetricStoreError {
        if let own = error as? MetricStoreError { return own }
        if let timeout = error as? PostgresTimeout {
            return MetricStoreError(.unavailable, "\(what): PostgreSQL did not answer \(timeout.what) within \(timeout.seconds) s",
                                    path: location, cause: timeout)
        }
        if let psql = error as? PSQLError {
            if psql.code == .server, let info = psql.serverInfo {
                let state = info[.sqlState] ?? ""
                let message = info[.message] ?? "\(psql.code)"
                // 08: connection exceptions; 57P01-03: shutdown, crash, not accepting connections.
                let gone = state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
                return MetricStoreError(gone ? .unavailable : .postgres, "\(what): \(message) (SQLSTATE \(state))",
                                        path: location, cause: SendableDescription(psql))
            }
            return MetricStoreError(.unavailable, "\(what): the connection to PostgreSQL failed (\(psql.code))",
                                    path: location, cause: SendableDescription(psql))
        }
        if error is IOError || error is ChannelError || error is NIOConnectionError {
            return MetricStoreError(.unavailable, "\(what): cannot reach PostgreSQL: \(error)", path: location,
                                    cause: SendableDescription(error))
        }
        if let decoding = error as? PostgresDecodingError {
            return MetricStoreError(.corruptData, "\(what): column \(decoding.columnName) cannot be read (\(decoding.code))",
                                    path: location, cause: SendableDescription(decoding))
        }
        return MetricStoreError(.postgres, "\(what): \(error)", path: location, cause: SendableDescription(error))
    }
}

/// A query that did not complete within the store's timeout.
struct PostgresTimeout: Error, Sendable, CustomStringConvertible {
    var what: String
    var seconds: Double
    var description: String { "no answer \(what) within \(seconds) s" }
}

/// The queries of one store call, on the connector's connection.
package struct PostgresSession {
    let connection: PostgresConnection
    let timeout: TimeAmount
    let logger: Logger

    /// The rows of `query`, waited for on the calling thread.
    @discardableResult
    package func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        try Self.wait(connection.query(query, logger: logger), timeout: timeout, what: "to a query")
    }

    package func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    package func changes(_ query: PostgresQuery) throws -> Int {
        try self.query(query).metadata.rows ?? 0
    }

    /// Waits for `future` on the calling thread, failing it after `timeout`.
    static func wait<T: Sendable>(_ future: EventLoopFuture<T>, timeout: TimeAmount, what: String) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let seconds = Double(timeout.nanoseconds) / 1e9
        let timer = future.eventLoop.scheduleTask(in: timeout) {
            promise.fail(PostgresTimeout(what: what, seconds: seconds))
        }
        defer { timer.cancel() }
        return try promise.futureResult.wait()
    }
}

extension PostgresRow {
    /// Column access by name (`row.column["name"].decode(…)`).
    var column: PostgresRandomAccessRow { makeRandomAccess() }
}
