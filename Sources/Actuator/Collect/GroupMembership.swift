#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which group a VM psm did not create belongs to: `members` of `[[actuator.groups]]`, a shell
/// glob on the domain name (`web-*`, `db-[0-9]*`). psm's own shadows are known by their records.
public struct MemberPattern: Sendable, Hashable {
    public var glob: String

    public init(_ glob: String) { self.glob = glob }

    public func matches(_ name: String) -> Bool { fnmatch(glob, name, 0) == 0 }
}
