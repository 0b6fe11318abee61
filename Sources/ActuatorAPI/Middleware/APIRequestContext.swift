import Hummingbird

/// The per-request context: Hummingbird's core storage plus who the caller authenticated as.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Index of the token the caller presented (keys its write-rate bucket); nil before
    /// authentication or when the API runs without tokens.
    var client: Int?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        client = nil
    }
}
