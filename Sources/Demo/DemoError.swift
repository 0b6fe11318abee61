/// The demo cannot run on what it was given (no bundled data where it looked, no rise of demand
/// to replay, no group trained), said in words; the command line shows it as a usage error.
public struct DemoError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
