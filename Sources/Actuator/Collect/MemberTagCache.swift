/// The member tags (`members = "tag:…"`) of one host's domains, as last read.
///
/// The bulk stats call does not return metadata, so a tag costs one `virDomainGetMetadata` per
/// domain. Each domain is read once when the collector first sees it, then again at most every
/// `refreshPeriod` seconds and at most `refreshesPerCollection` of them per collection (oldest
/// first), so a retagged domain moves within minutes while a collection of a stable fleet reads no
/// tag at all. A domain that leaves the stats (stopped, removed) is forgotten, and read again if it
/// comes back.
struct MemberTagCache: Sendable {
    static let refreshPeriod: Int64 = 300
    static let refreshesPerCollection = 16

    private var entries: [String: (tag: String?, checkedAt: Int64)] = [:]

    /// Whether `name`'s tag has been read.
    func known(_ name: String) -> Bool { entries[name] != nil }

    /// `name`'s tag as last read (nil: none, or not read yet).
    func tag(of name: String) -> String? { entries[name]?.tag ?? nil }

    /// The names to read now: every one not read yet, then up to `refreshes` whose reading is at
    /// least `period` seconds old (oldest first).
    func due(_ names: [String], now: Int64, period: Int64 = refreshPeriod, refreshes: Int = refreshesPerCollection) -> [String] {
        var unknown: [String] = []
        var stale: [(String, Int64)] = []
        for name in names {
            if let e = entries[name] {
                if now - e.checkedAt >= period || now < e.checkedAt { stale.append((name, e.checkedAt)) }
            } else {
                unknown.append(name)
            }
        }
        stale.sort { ($0.1, $0.0) < ($1.1, $1.0) }
        return unknown + stale.prefix(max(refreshes, 0)).map(\.0)
    }

    mutating func record(_ name: String, tag: String?, at now: Int64) { entries[name] = (tag, now) }

    /// Forgets the domains not in `names`.
    mutating func keep(only names: Set<String>) {
        guard entries.count > names.count || entries.keys.contains(where: { !names.contains($0) }) else { return }
        entries = entries.filter { names.contains($0.key) }
    }

    var count: Int { entries.count }
}
