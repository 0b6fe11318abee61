import Actuator
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import Prometheus
import PSMConfiguration

/// The actuator's HTTP API (docs/api.md): builds the router and the Hummingbird application that
/// serves an `ActuatorControl`.
public enum ActuatorAPI {
    /// Every route, in the order registered. `/healthz` (and `/metrics` unless configured
    /// otherwise) are served without a token.
    static let routeTable = RouteTable(routes: [
        .init(method: .get, path: "/healthz"),
        .init(method: .get, path: "/metrics"),
        .init(method: .post, path: "/v1/notices"),
        .init(method: .get, path: "/v1/notices"),
        .init(method: .get, path: "/v1/forecasts/{group}"),
        .init(method: .get, path: "/v1/shadows"),
        .init(method: .post, path: "/v1/shadows/{id}/activate"),
        .init(method: .post, path: "/v1/groups/{group}/activate"),
        .init(method: .get, path: "/v1/hosts"),
        .init(method: .post, path: "/v1/metrics"),
    ])

    /// The router with every route and middleware (errors → auth → write rate).
    ///
    /// - Parameters:
    ///   - registry: what `GET /metrics` serves.
    ///   - rateLimiter: the write buckets; by default from the configuration's rate and burst.
    package static func makeRouter(control: any ActuatorControl, configuration: APIConfiguration,
                                  registry: PrometheusCollectorRegistry,
                                  rateLimiter: WriteRateLimiter? = nil) -> Router<APIRequestContext> {
        let handlers = APIHandlers(control: control, configuration: configuration, registry: registry)
        let limiter = rateLimiter ?? WriteRateLimiter(rate: configuration.writeRatePerSecond, burst: configuration.writeBurst)
        let router = Router(context: APIRequestContext.self)
        // Middleware applies to the routes added after it: the public routes come first.
        router.add(middleware: ErrorMiddleware(routes: routeTable))
        router.get("/healthz", use: handlers.health)
        if !configuration.metricsRequireToken {
            router.get("/metrics", use: handlers.prometheus)
        }
        if !configuration.tokens.isEmpty {
            router.add(middleware: BearerAuthMiddleware(tokens: configuration.tokens))
        }
        router.add(middleware: WriteRateLimitMiddleware(limiter: limiter))
        if configuration.metricsRequireToken {
            router.get("/metrics", use: handlers.prometheus)
        }
        router.post("/v1/notices", use: handlers.submitNotice)
        router.get("/v1/notices", use: handlers.listNotices)
        router.get("/v1/forecasts/{group}", use: handlers.forecast)
        router.get("/v1/shadows", use: handlers.shadows)
        router.post("/v1/shadows/{id}/activate", use: handlers.activate)
        router.post("/v1/groups/{group}/activate", use: handlers.activateGroup)
        router.get("/v1/hosts", use: handlers.hosts)
        router.post("/v1/metrics", use: handlers.pushMetrics)
        return router
    }

    /// The HTTP server for `control`, listening where `configuration` says. It is a
    /// swift-service-lifecycle `Service`: run it in the actuator's `ServiceGroup`, which shuts it
    /// down gracefully (in-flight requests finish) on SIGTERM.
    ///
    /// Connections are bounded (docs/api.md, "Connections"): `idleTimeout` between requests
    /// (Hummingbird's), `headerTimeout` and `bodyTimeout` per request and at most `maxConnections`
    /// open at once (`ConnectionGuardHandler`, `ConnectionTracker`), the latter fitted to the
    /// open-file limit. Serving without a token is logged as a warning every time.
    ///
    /// Throws when the configuration cannot be served (no token, a token-less non-loopback address
    /// without `allowUnauthenticatedRemote`, limits out of range).
    public static func makeApplication(control: any ActuatorControl, configuration: APIConfiguration,
                                       registry: PrometheusCollectorRegistry,
                                       logger: Logger) throws(APIConfigurationError) -> some ApplicationProtocol {
        try configuration.validate()
        if configuration.isUnauthenticated {
            logger.warning(
                "API serving WITHOUT authentication (api.allow_unauthenticated): every route is open to whoever can reach the address",
                metadata: ["address": "\(configuration.host):\(configuration.port)",
                           "loopback": "\(APIConfiguration.isLoopback(configuration.host))"])
        }
        let router = makeRouter(control: control, configuration: configuration, registry: registry)
        let tracker = ConnectionTracker(limit: Self.fitConnectionLimit(configuration.maxConnections, logger: logger), logger: logger)
        let header = TimeAmount.nanoseconds(Int64(configuration.headerTimeout * 1e9))
        let body = TimeAmount.nanoseconds(Int64(configuration.bodyTimeout * 1e9))
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(tracker: tracker, headerTimeout: header, bodyTimeout: body,
                                                               logger: logger)],
            idleTimeout: .nanoseconds(Int64(configuration.idleTimeout * 1e9)))
        return Application(router: router, server: .http1(configuration: http1),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                serverName: "psm-actuator"),
                           logger: logger)
    }

    /// A swift-metrics factory that records into `registry`, with the activation-latency histogram's
    /// buckets (1 ms … 10 s) set.
    package static func makeMetricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[ActuatorMetrics.activationLatency] = ActuatorMetrics.activationLatencyBuckets
        return factory
    }

    /// Makes `registry` the process's swift-metrics backend, so `ActuatorMetrics()` (and any
    /// library's metrics) land on `/metrics`. swift-metrics allows this once per process.
    public static func bootstrapMetrics(registry: PrometheusCollectorRegistry) {
        MetricsSystem.bootstrap(makeMetricsFactory(registry: registry))
    }
}
