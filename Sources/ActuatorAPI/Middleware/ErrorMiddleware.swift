import Hummingbird
import NIOHTTP1
import Logging

/// The routes the API serves, as `METHOD /path/{param}`: registration, 405 answers and the
/// OpenAPI test all read this one list.
struct RouteTable: Sendable {
    struct Route: Sendable, Hashable {
        var method: HTTPRequest.Method
        var path: String
        var segments: [Substring] { path.split(separator: "/") }
    }

    var routes: [Route]

    /// Methods served on the path (empty when no route matches it whatever the method).
    func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        var methods: [HTTPRequest.Method] = []
        for route in routes {
            let template = route.segments
            guard template.count == parts.count else { continue }
            let matches = zip(template, parts).allSatisfy { t, p in t.hasPrefix("{") || t == p }
            if matches && !methods.contains(route.method) { methods.append(route.method) }
        }
        return methods
    }
}

/// Turns every error into a JSON error answer (`{"error", "detail"}`), so that no client sees a
/// Hummingbird default body or a stack trace; unexpected errors become a logged 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            context.logger.debug("API request refused", metadata: ["status": "\(error.status.code)", "error": "\(error.detail)"])
            return error.errorResponse()
        } catch let error as any HTTPResponseError {
            return translate(error, request, context).errorResponse()
        } catch let error as HTTPParserError {
            // The body could not be read: malformed, or the connection ended in the middle of it (the
            // client went away, or the body timeout closed it). The client's doing, not a bug.
            context.logger.debug("API request body unreadable", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError.badRequest("the request body could not be read (\(error))").errorResponse()
        } catch {
            context.logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError.internalError.errorResponse()
        }
    }

    /// Hummingbird's own errors (no route, body too large, malformed request) in the API's shape.
    private func translate(_ error: any HTTPResponseError, _ request: Request, _ context: APIRequestContext) -> APIError {
        switch error.status {
        case .notFound:
            let allowed = routes.allowedMethods(forPath: request.uri.path)
            if !allowed.isEmpty {
                return .methodNotAllowed(request.method, path: request.uri.path, allowed: allowed)
            }
            return .notFound("no route \(request.method.rawValue) \(request.uri.path)")
        case .contentTooLarge:
            return APIError(.contentTooLarge, "payload_too_large", "the request body is too large")
        default:
            let status = error.status
            if status.code >= 500 {
                context.logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                return APIError.internalError
            }
            let message = (error as? HTTPError)?.body ?? status.reasonPhrase
            return APIError(status, "bad_request", message)
        }
    }
}
