import Foundation
import Hummingbird

/// Token buckets, one per client: each holds up to `burst` tokens, refilled at `rate` per second;
/// a write takes one token or is refused with the time until the next one.
package final class WriteRateLimiter: @unchecked Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let rate: Double
    private let burst: Double
    private let now: @Sendable () -> Double
    private let lock = NSLock()
    private var buckets: [Int: Bucket] = [:]

    /// - Parameter now: seconds on a monotonic clock (injected so tests need not sleep).
    package init(rate: Double, burst: Int, now: @escaping @Sendable () -> Double = WriteRateLimiter.monotonicSeconds) {
        self.rate = rate
        self.burst = Double(burst)
        self.now = now
    }

    /// Takes a token for `client`; returns nil when allowed, else the seconds to wait.
    package func take(client: Int) -> Double? {
        let t = now()
        return lock.withLock {
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: t)
            // A clock that went backwards refills nothing (and never goes negative).
            bucket.tokens = min(burst, bucket.tokens + max(0, t - bucket.updated) * rate)
            bucket.updated = max(bucket.updated, t)
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / rate
        }
    }

    /// Seconds on the process's monotonic clock.
    @Sendable package static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    private static let start = ContinuousClock.now
}

/// Refuses writes (anything but GET and HEAD) beyond the caller's rate with 429 and `Retry-After`.
struct WriteRateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limiter: WriteRateLimiter

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        if request.method != .get && request.method != .head,
           let wait = limiter.take(client: context.client ?? -1) {
            throw APIError.rateLimited(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        return try await next(request, context)
    }
}
