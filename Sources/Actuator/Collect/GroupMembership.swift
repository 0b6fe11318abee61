#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which group a VM psm did not create belongs to: one element of `members` in
/// `[[actuator.groups]]` — a shell glob on the domain name (`web-*`, `db-[0-9]*`), or
/// `tag:NAME`, the operator's metadata tag (`Hypervisor.MemberTag`: an element in the domain's
/// `<metadata>` whose `tag` attribute is NAME). psm's own shadows are known by their records.
public struct MemberPattern: Sendable, Hashable {
    /// The prefix that makes an element of `members` a metadata tag rather than a name glob.
    package static let tagPrefix = "tag:"

    /// The name glob; empty for a tag pattern.
    package var glob: String
    /// The metadata tag (`members = "tag:web"` → "web"); nil for a name glob.
    public var tag: String?

    /// `text` as written in `members`: `tag:NAME` is a tag, anything else a glob (a glob for names
    /// that start with "tag:" is written `[t]ag:…`).
    public init(_ text: String) {
        if text.hasPrefix(Self.tagPrefix) {
            glob = ""
            tag = String(text.dropFirst(Self.tagPrefix.count))
        } else {
            glob = text
            tag = nil
        }
    }

    /// Whether a domain of this name (and with this member tag, nil for none or not read) matches.
    package func matches(_ name: String, tag domainTag: String? = nil) -> Bool {
        if let tag { return domainTag == tag }
        return fnmatch(glob, name, 0) == 0
    }
}
