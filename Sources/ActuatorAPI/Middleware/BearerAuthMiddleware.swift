import Crypto
import Hummingbird

/// Requires `Authorization: Bearer <token>` with one of the configured tokens.
///
/// Tokens are compared as SHA-256 digests, byte by byte without an early exit, and every
/// configured token is tried: the time taken says nothing about how much of a token matched,
/// nor which one.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    private let digests: [[UInt8]]

    init(tokens: [String]) {
        digests = tokens.map { Array(SHA256.hash(data: Array($0.utf8))) }
    }

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing header 'Authorization: Bearer <token>'")
        }
        guard let token = Self.bearerToken(header) else {
            throw APIError.unauthorized("header 'Authorization' must be 'Bearer <token>'")
        }
        guard let index = match(token) else {
            throw APIError.unauthorized("the bearer token is not valid")
        }
        var context = context
        context.client = index
        return try await next(request, context)
    }

    /// The token of a `Bearer` credential (scheme case-insensitive, RFC 6750), nil otherwise.
    static func bearerToken(_ header: String) -> Substring? {
        let trimmed = header.drop(while: { $0 == " " })
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).drop(while: { $0 == " " })
        let end = token.lastIndex(where: { $0 != " " }).map { token.index(after: $0) } ?? token.startIndex
        let value = token[..<end]
        return value.isEmpty ? nil : value
    }

    /// The index of the matching token; every digest is compared in full.
    func match(_ token: Substring) -> Int? {
        let presented = Array(SHA256.hash(data: Array(token.utf8)))
        var found: Int? = nil
        for (index, digest) in digests.enumerated() {
            var difference: UInt8 = 0
            for i in 0..<presented.count { difference |= presented[i] ^ digest[i] }
            if difference == 0 && found == nil { found = index }
        }
        return found
    }
}
