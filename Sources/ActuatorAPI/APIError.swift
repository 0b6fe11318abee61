import Actuator
import Foundation
import Hummingbird

/// An error answer: its status and the JSON body `{"error": code, "detail": message}`.
///
/// `error` is a stable machine-readable code (docs/api.md, "Errors"); `detail` says what was wrong
/// and where (the field, the header, the limit) for a person to fix the request.
package struct APIError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    package var status: HTTPResponse.Status
    package var code: String
    package var detail: String
    /// Extra headers (Retry-After, Allow, WWW-Authenticate).
    package var headers: HTTPFields

    package init(_ status: HTTPResponse.Status, _ code: String, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
    }

    package var description: String { "\(status.code) \(code): \(detail)" }

    static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, "bad_request", detail) }
    static func invalid(_ detail: String) -> APIError { APIError(.unprocessableContent, "invalid", detail) }
    static func notFound(_ detail: String) -> APIError { APIError(.notFound, "not_found", detail) }
    static func unknownGroup(_ group: String, field: String) -> APIError {
        APIError(.notFound, "unknown_group", "\(field): group '\(group)' is not managed by this actuator")
    }
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "the request body exceeds the limit of \(limit) bytes")
    }
    static func unauthorized(_ detail: String) -> APIError {
        APIError(.unauthorized, "unauthorized", detail, headers: [.wwwAuthenticate: #"Bearer realm="psm""#])
    }
    static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(.methodNotAllowed, "method_not_allowed", "\(method.rawValue) is not allowed on \(path); use \(list)",
                        headers: [.allow: list])
    }
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, "rate_limited",
                 "too many write requests; retry after \(seconds) s", headers: [.retryAfter: String(seconds)])
    }
    static let internalError = APIError(.internalServerError, "internal", "the server failed to answer; see its log")

    /// The answer for a control error (docs/actuator.md: invalid 422, notFound 404, conflict 409,
    /// unavailable 503).
    init(_ error: ControlError) {
        switch error.kind {
        case .invalid: self.init(.unprocessableContent, "invalid", error.message)
        case .notFound: self.init(.notFound, "not_found", error.message)
        case .conflict: self.init(.conflict, "conflict", error.message)
        case .unavailable: self.init(.serviceUnavailable, "unavailable", error.message,
                                     headers: [.retryAfter: "5"])
        }
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        errorResponse()
    }

    /// The response, built without anything that can fail.
    func errorResponse() -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        let body = #"{"error":"# + Self.jsonString(code) + #","detail":"# + Self.jsonString(detail) + "}"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A JSON string literal of `text`, escaping by hand so that rendering an error never throws.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
