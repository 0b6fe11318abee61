import Actuator
import Foundation
import HTTPTypes
import Hummingbird
import MetricStore
import Prometheus

/// The route handlers: read and check the request, call the control, encode its answer.
struct APIHandlers: Sendable {
    let control: any ActuatorControl
    let configuration: APIConfiguration
    let registry: PrometheusCollectorRegistry
    let encodedForecasts = EncodedForecasts()

    // MARK: Notices

    func submitNotice(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let notice = try JSONBody.decode(NoticeRequest.self, from: try await readBody(request))
        try await requireGroup(notice.group, field: "group")
        let stored = try await call { () async throws(ControlError) in try await control.submitNotice(notice) }
        return try json(stored, status: .created)
    }

    func listNotices(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let group = try queryGroup(request)
        if let group { try await requireGroup(group, field: "query parameter 'group'") }
        let from = try queryInteger(request, "from", range: TimeLimits.positions.lowerBound...TimeLimits.positions.upperBound)
        let limit = try queryInteger(request, "limit", range: 1...Int64(APIHandlers.maximumNoticeLimit))
            .map(Int.init) ?? APIHandlers.defaultNoticeLimit
        var notices = try await call { () async throws(ControlError) in try await control.notices(group: group) }
        if let from { notices.removeAll { $0.end <= from } }
        let truncated = notices.count > limit
        if truncated { notices.removeLast(notices.count - limit) }
        return try json(NoticeList(notices: notices, truncated: truncated ? true : nil))
    }

    // MARK: Forecasts, shadows, hosts

    func forecast(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let group = try pathParameter("group", context)
        try await requireGroup(group, field: "path parameter 'group'")
        let view = try await call { () async throws(ControlError) in try await control.forecast(group: group) }
        // A forecast changes once per scoring interval and is read far more often: encode it once.
        let body: ByteBuffer
        if let cached = encodedForecasts.body(for: view) {
            body = cached
        } else {
            body = ByteBuffer(bytes: try ResponseJSON.encoder.encode(view))
            encodedForecasts.store(view, body)
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    func shadows(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let group = try queryGroup(request)
        if let group { try await requireGroup(group, field: "query parameter 'group'") }
        var state: String? = nil
        if let value = request.uri.queryParameters.get("state") {
            guard ShadowStateName.all.contains(value) else {
                throw APIError.badRequest("query parameter 'state' must be one of \(ShadowStateName.all.joined(separator: ", "))")
            }
            state = value
        }
        var shadows = try await call { () async throws(ControlError) in try await control.shadows() }
        if let group { shadows.removeAll { $0.group != group } }
        if let state { shadows.removeAll { $0.state != state } }
        return try json(ShadowList(shadows: shadows))
    }

    func activate(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try pathParameter("id", context)
        var requestID: String? = nil
        if let key = request.headers[.idempotencyKey] { requestID = try validateIdempotencyKey(key) }
        let view = try await call { () async throws(ControlError) in
            try await control.activate(shadowID: id, requestID: requestID)
        }
        return try json(view, status: view.outcome == nil ? .accepted : .ok)
    }

    /// Activates the group's best ready shadow; the optional body `{"capacity": {…}}` names the
    /// size one VM gets (units, or vCPUs and/or memoryMiB), else the full size.
    func activateGroup(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let group = try pathParameter("group", context)
        try await requireGroup(group, field: "path parameter 'group'")
        var requestID: String? = nil
        if let key = request.headers[.idempotencyKey] { requestID = try validateIdempotencyKey(key) }
        let body = try await readBody(request)
        let capacity = body.isEmpty ? nil : try JSONBody.decode(ActivateRequest.self, from: body).capacity
        let view = try await call { () async throws(ControlError) in
            try await control.activate(group: group, requestID: requestID, capacity: capacity)
        }
        return try json(view, status: view.outcome == nil ? .accepted : .ok)
    }

    func hosts(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let hosts = try await call { () async throws(ControlError) in try await control.hosts() }
        return try json(HostList(hosts: hosts))
    }

    // MARK: Metrics and health

    func pushMetrics(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try JSONBody.decode(MetricSamples.self, from: try await readBody(request))
        guard body.samples.count <= configuration.maxSamplesPerRequest else {
            throw APIError.invalid("\(body.samples.count) samples in one request; at most \(configuration.maxSamplesPerRequest)")
        }
        for (index, sample) in body.samples.enumerated() where await !control.manages(group: sample.group) {
            throw APIError.unknownGroup(sample.group, field: body.samples.count == 1 ? "group" : "[\(index)].group")
        }
        let accepted = try await call { () async throws(ControlError) in try await control.pushMetrics(body.samples) }
        return try json(Accepted(accepted: accepted), status: .accepted)
    }

    func prometheus(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let bytes = registry.emitToBuffer()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func health(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let view = await control.health()
        return try json(view, status: view.status == "failing" ? .serviceUnavailable : .ok)
    }

    // MARK: Helpers

    /// The body, refused with 413 past the limit (by `Content-Length` before reading, else while
    /// reading) and with 415 when it is declared as something other than JSON.
    func readBody(_ request: Request) async throws -> Data {
        if let type = request.headers[.contentType] {
            let media = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) else {
                throw APIError(.unsupportedMediaType, "unsupported_media_type",
                               "the body must be JSON (Content-Type: application/json), not '\(type.prefix(100))'")
            }
        }
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.tooLarge(limit: limit)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limit: limit)
        }
    }

    func requireGroup(_ group: String, field: String) async throws {
        guard await control.manages(group: group) else { throw APIError.unknownGroup(group, field: field) }
    }

    static let defaultNoticeLimit = 1000
    static let maximumNoticeLimit = 10_000

    /// An optional integer query parameter within `range` (400 otherwise).
    func queryInteger(_ request: Request, _ name: String, range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw APIError.badRequest("query parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func queryGroup(_ request: Request) throws -> String? {
        guard let group = request.uri.queryParameters.get("group") else { return nil }
        guard !group.isEmpty, group.unicodeScalars.count <= FieldLimits.group else {
            throw APIError.badRequest("query parameter 'group' must be 1–\(FieldLimits.group) characters")
        }
        return group
    }

    /// A path parameter, percent-decoded.
    func pathParameter(_ name: String, _ context: APIRequestContext) throws -> String {
        guard let raw = context.parameters.get(name), !raw.isEmpty,
              let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw APIError.badRequest("path parameter '\(name)' is empty or not valid percent-encoding")
        }
        guard value.unicodeScalars.count <= FieldLimits.group else {
            throw APIError.badRequest("path parameter '\(name)' is longer than \(FieldLimits.group) characters")
        }
        return value
    }

    /// Runs a control call, mapping its error to the API's answer.
    func call<T>(_ body: () async throws(ControlError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw APIError(error)
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try ResponseJSON.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// JSON answers: keys sorted (stable output), non-finite numbers as the strings the decision log
/// uses ("nan", "+inf", "-inf") instead of failing the response.
enum ResponseJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf",
                                                                      nan: "nan")
        return encoder
    }()
}

/// The shadow states a `?state=` filter accepts.
enum ShadowStateName {
    static let all = ShadowState.allCases.map(\.rawValue)
}

/// The last encoded answer per group, reused while the control returns an equal forecast (one
/// entry per managed group, so bounded).
final class EncodedForecasts: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (view: ForecastView, body: ByteBuffer)] = [:]

    func body(for view: ForecastView) -> ByteBuffer? {
        lock.withLock { entries[view.group].flatMap { $0.view == view ? $0.body : nil } }
    }

    func store(_ view: ForecastView, _ body: ByteBuffer) {
        lock.withLock { entries[view.group] = (view, body) }
    }
}

struct NoticeList: Encodable {
    var notices: [NoticeView]
    /// true when `limit` cut the list (absent otherwise).
    var truncated: Bool?
}
struct ShadowList: Encodable { var shadows: [ShadowView] }
struct HostList: Encodable { var hosts: [HostView] }
struct Accepted: Encodable { var accepted: Int }

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
