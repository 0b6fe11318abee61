import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// The open connections of one API server, at most `limit` of them (`api.max_connections`).
///
/// A connection is *busy* from a request head until its response has been written, and *waiting*
/// otherwise (new and still sending its head, or kept alive between requests). When a new
/// connection would pass the limit, the connection that has been waiting longest is closed to make
/// room — so idle or slowloris connections cannot keep a probe's fresh `/healthz` out — and when
/// every connection is busy, the new one is closed at once. Either way the process never holds more
/// than `limit` connections (plus the few being closed), so the descriptor table never runs out.
package final class ConnectionTracker: @unchecked Sendable {
    public let limit: Int
    private let logger: Logger
    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var counts = Counts()
    private var lastWarning: NIODeadline?

    struct Entry {
        let channel: any Channel
        var busy: Bool
        /// When it started waiting (accepted, or its last response written).
        var since: NIODeadline
    }

    /// What the tracker has done since the server started.
    package struct Counts: Sendable, Hashable {
        /// Connections closed at once because every admitted one was busy.
        package var refused = 0
        /// Waiting connections closed to make room for a new one.
        package var evicted = 0
        /// Connections closed for not sending a complete head, or a complete body, in time.
        package var headerTimeouts = 0
        package var bodyTimeouts = 0
    }

    package init(limit: Int, logger: Logger) {
        self.limit = max(1, limit)
        self.logger = logger
    }

    /// Connections admitted and not yet closed.
    public var open: Int { lock.withLock { entries.count } }
    package var totals: Counts { lock.withLock { counts } }

    enum Admission {
        case admitted
        case admittedEvicting(any Channel)
        case refused
    }

    func admit(_ channel: any Channel) -> Admission {
        let now = NIODeadline.now()
        let (admission, warn) = lock.withLock { () -> (Admission, Bool) in
            var admission = Admission.admitted
            if entries.count >= limit {
                var oldest: (key: ObjectIdentifier, since: NIODeadline)?
                for (key, entry) in entries where !entry.busy && (oldest.map { entry.since < $0.since } ?? true) {
                    oldest = (key, entry.since)
                }
                guard let oldest, let evicted = entries.removeValue(forKey: oldest.key) else {
                    counts.refused += 1
                    return (.refused, shouldWarn(now))
                }
                counts.evicted += 1
                admission = .admittedEvicting(evicted.channel)
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, busy: false, since: now)
            if case .admittedEvicting = admission { return (admission, shouldWarn(now)) }
            return (admission, false)
        }
        if warn {
            let c = totals
            logger.warning("API connection limit reached: closing waiting connections to admit new ones, or new ones when all are busy",
                           metadata: ["max_connections": "\(limit)", "evicted_total": "\(c.evicted)", "refused_total": "\(c.refused)"])
        }
        return admission
    }

    /// At most one warning a minute while the limit is being hit.
    private func shouldWarn(_ now: NIODeadline) -> Bool {
        if let lastWarning, now - lastWarning < .seconds(60) { return false }
        lastWarning = now
        return true
    }

    func release(_ channel: any Channel) {
        _ = lock.withLock { entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func setBusy(_ channel: any Channel, _ busy: Bool) {
        let now = NIODeadline.now()
        lock.withLock {
            guard var entry = entries[ObjectIdentifier(channel)] else { return }
            entry.busy = busy
            if !busy { entry.since = now }
            entries[ObjectIdentifier(channel)] = entry
        }
    }

    func count(_ update: (inout Counts) -> Void) { lock.withLock { update(&counts) } }
}

/// Per connection, after Hummingbird's HTTP/1 decoding (`HTTP1Channel.Configuration.additionalChannelHandlers`):
/// admits the connection to the `ConnectionTracker`, and closes it when a request head is not
/// complete `headerTimeout` after the connection was accepted or after the first byte of a later
/// request arrived, or when a body is not complete `bodyTimeout` after its head. The idle timeout
/// between requests is Hummingbird's own (`HTTP1Channel.Configuration.idleTimeout`).
///
/// To see the first byte of a request before the decoder has a head, it puts a small observer
/// (`FirstByteObserver`) at the front of the pipeline when it is added.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let tracker: ConnectionTracker
    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    let logger: Logger

    private var started = false
    private var context: ChannelHandlerContext?
    private var headTimer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?
    /// A head has been read and its `.end` not yet.
    private var readingRequest = false
    /// Requests whose response has not been written completely.
    private var requestsInProgress = 0

    init(tracker: ConnectionTracker, headerTimeout: TimeAmount, bodyTimeout: TimeAmount, logger: Logger) {
        self.tracker = tracker
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        try? context.pipeline.syncOperations.addHandler(FirstByteObserver(owner: self), position: .first)
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        // A refused connection is closing: the handlers after this one never see it active.
        if start(context) { context.fireChannelActive() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    /// Admits the connection (once); false when it was refused and is being closed.
    @discardableResult
    private func start(_ context: ChannelHandlerContext) -> Bool {
        guard !started else { return context.channel.isActive }
        started = true
        let channel = context.channel
        switch tracker.admit(channel) {
        case .refused:
            logger.debug("API connection refused: every admitted connection is busy", metadata: ["max_connections": "\(tracker.limit)"])
            context.close(promise: nil)
            return false
        case .admittedEvicting(let evicted):
            evicted.close(promise: nil)
        case .admitted:
            break
        }
        let tracker = self.tracker
        channel.closeFuture.whenComplete { _ in tracker.release(channel) }
        // A new connection owes its first head within the header timeout, whether or not it sends a byte.
        startHeadTimer()
        return true
    }

    /// The first byte of a request arrived (from `FirstByteObserver`, before decoding).
    fileprivate func bytesArrived() {
        if headTimer == nil && !readingRequest && started { startHeadTimer() }
    }

    private func startHeadTimer() {
        guard let context, headTimer == nil else { return }
        headTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) { [self] in
            headTimer = nil
            timedOut("header_timeout")
        }
    }

    private func timedOut(_ what: String) {
        guard let context else { return }
        tracker.count { counts in
            if what == "header_timeout" { counts.headerTimeouts += 1 } else { counts.bodyTimeouts += 1 }
        }
        logger.debug("API connection closed: \(what)", metadata: ["remote": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        context.close(promise: nil)
    }

    private func cancelTimers() {
        headTimer?.cancel()
        headTimer = nil
        bodyTimer?.cancel()
        bodyTimer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            headTimer?.cancel()
            headTimer = nil
            readingRequest = true
            requestsInProgress += 1
            if requestsInProgress == 1 { tracker.setBusy(context.channel, true) }
            // The body timer starts at the end of this read (`channelReadComplete`) unless the request
            // ended in it: a GET's head and end come together and need no timer.
        case .body:
            break
        case .end:
            readingRequest = false
            bodyTimer?.cancel()
            bodyTimer = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if readingRequest && bodyTimer == nil {
            bodyTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: bodyTimeout) { [self] in
                bodyTimer = nil
                timedOut("body_timeout")
            }
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), requestsInProgress > 0 {
            requestsInProgress -= 1
            if requestsInProgress == 0 { tracker.setBusy(context.channel, false) }
        }
        context.write(data, promise: promise)
    }
}

/// Tells its `ConnectionGuardHandler` when bytes arrive, before the HTTP decoder sees them.
final class FirstByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    // The owner is on the same channel (same event loop) and removes nothing; the pipeline holds both.
    private weak var owner: ConnectionGuardHandler?

    init(owner: ConnectionGuardHandler) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived()
        context.fireChannelRead(data)
    }
}

extension ActuatorAPI {
    /// Fits `api.max_connections` to the process's open-file limit (RLIMIT_NOFILE): raises the soft
    /// limit towards the hard one when it is short of the connections plus `headroom` descriptors (the
    /// store, the model files, libvirt, logs), and when even the hard limit is short, lowers the
    /// connection limit to leave the headroom free. Returns the limit to enforce.
    package static func fitConnectionLimit(_ configured: Int, headroom: Int = 256, logger: Logger) -> Int {
        #if os(Linux)
        let nofile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let nofile = RLIMIT_NOFILE
        #endif
        let unlimited = rlim_t.max  // RLIM_INFINITY (the C macro does not import)
        var limit = rlimit()
        guard getrlimit(nofile, &limit) == 0 else { return configured }
        let needed = rlim_t(configured + headroom)
        if limit.rlim_cur != unlimited && limit.rlim_cur < needed {
            var raised = limit
            raised.rlim_cur = limit.rlim_max == unlimited ? needed : min(limit.rlim_max, needed)
            if setrlimit(nofile, &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur != unlimited, limit.rlim_cur < needed else { return configured }
        let soft = Int(limit.rlim_cur)
        let fitted = max(1, soft > 2 * headroom ? soft - headroom : soft / 2)
        logger.warning("api.max_connections lowered to fit the open-file limit: raise it (systemd LimitNOFILE=, ulimit -n)",
                       metadata: ["max_connections": "\(configured)", "enforced": "\(fitted)", "nofile_soft": "\(soft)",
                                  "nofile_hard": "\(limit.rlim_max == unlimited ? "unlimited" : "\(limit.rlim_max)")"])
        return fitted
    }
}
