import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// What a `WebhookRouter` POSTs: one routing change (docs/routing.md).
package struct RouteEvent: Sendable, Hashable, Codable {
    package enum Action: String, Sendable, Hashable, Codable { case enable, drain, disable }
    package var action: Action
    package var group: String
    package var server: String
    /// `host` or `host:port`, when known (enable only).
    package var address: String?
    /// Share of the group's traffic (enable only).
    package var weight: Int?
    /// Unix seconds when the actuator sent it.
    package var time: Int64

    package init(action: Action, group: String, server: String, address: String? = nil, weight: Int? = nil, time: Int64) {
        self.action = action
        self.group = group
        self.server = server
        self.address = address
        self.weight = weight
        self.time = time
    }
}

/// Routes by telling another system: POSTs a JSON `RouteEvent` to a configured URL, for load
/// balancers or service registries that HAProxyRouter does not speak to.
///
/// Any 2xx answer is success; another status or a transport failure is a `RoutingError` with the
/// status and the start of the answer. The receiver must treat a repeated event as a no-op
/// (activations and decommissions retry), which the `(action, group, server)` triple makes easy.
package struct WebhookRouter: TrafficRouter {
    package var name: String { "webhook" }
    package let url: String
    private let bearerToken: String?
    /// Key of the body's HMAC-SHA256 (`X-PSM-Signature: sha256=<hex>`), when configured.
    private let secret: String?
    private let timeout: Duration
    private let client: HTTPClient
    private let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - url: an `http` or `https` URL.
    ///   - bearerToken: sent as `Authorization: Bearer …` when given.
    ///   - secret: signs each body: `X-PSM-Signature: sha256=` + hex HMAC-SHA256(secret, body).
    package init(url: String, bearerToken: String? = nil, secret: String? = nil, timeout: Duration = .seconds(5),
                client: HTTPClient = .shared,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) throws(RoutingError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host != nil else {
            throw RoutingError(router: "webhook", "URL '\(url)' must be an absolute http or https URL")
        }
        self.url = url
        self.bearerToken = bearerToken
        self.secret = secret
        self.timeout = timeout
        self.client = client
        self.now = now
    }

    package func enable(_ target: RouteTarget) async throws(RoutingError) {
        try await post(RouteEvent(action: .enable, group: target.group, server: target.server, address: target.address,
                                  weight: target.weight, time: now()))
    }

    package func disable(group: String, server: String) async throws(RoutingError) {
        try await post(RouteEvent(action: .disable, group: group, server: server, time: now()))
    }

    /// Tells the receiver to send no new sessions to the server (open ones go on). The router
    /// cannot see sessions, so a drain through it lasts its `drain_timeout`.
    package func drain(group: String, server: String) async throws(RoutingError) {
        try await post(RouteEvent(action: .drain, group: group, server: server, time: now()))
    }

    /// The signature header's value for `body`: `sha256=` and the hex HMAC-SHA256 under `secret`.
    package static func signature(of body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private func post(_ event: RouteEvent) async throws(RoutingError) {
        let what = "\(event.action.rawValue) \(event.group)/\(event.server)"
        let body: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            body = try encoder.encode(event)
        } catch {
            throw RoutingError(router: name, "\(what): cannot encode the event: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "psm-actuator")
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
        if let secret { request.headers.add(name: "X-PSM-Signature", value: Self.signature(of: body, secret: secret)) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: UInt
        let answer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
            status = response.status.code
            answer = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw RoutingError(router: name, "\(what): POST \(url) failed: \(error)")
        }
        guard (200..<300).contains(status) else {
            let text = String(decoding: answer.readableBytesView.prefix(200), as: UTF8.self)
            throw RoutingError(router: name, "\(what): POST \(url) answered \(status)\(text.isEmpty ? "" : ": \(text)")")
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow, seconds >= 0 else { return .seconds(3600) }
        return .nanoseconds(nanoseconds.partialValue + attoseconds / 1_000_000_000)
    }
}
