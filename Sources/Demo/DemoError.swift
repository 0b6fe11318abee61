/// The demo cannot run on what it was given (no bundled data where it looked, no rise of demand
/// to replay, no group trained), said in words; the command line shows it as a usage error.
package struct DemoError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
