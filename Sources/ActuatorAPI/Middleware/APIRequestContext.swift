import Hummingbird

/// The per-request context: Hummingbird's core storage plus who the caller authenticated as.
package struct APIRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// Index of the token the caller presented (keys its write-rate bucket); nil before
    /// authentication or when the API runs without tokens.
    var client: Int?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        client = nil
    }
}
