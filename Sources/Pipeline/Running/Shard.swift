import ModelRegistry

/// A slice of the groups for one machine: `--shard i/N` trains the groups whose stable hash
/// mod N is i, so N machines (cron, systemd timers, a Kubernetes Indexed Job) share the work
/// without coordinating and every group lands on exactly one of them.
package struct Shard: Sendable, Hashable, CustomStringConvertible {
    package let index: Int
    package let count: Int

    /// The whole job on one machine.
    package static let all = Shard(uncheckedIndex: 0, count: 1)

    init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/N` with 0 ≤ i < N.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(uncheckedIndex: i, count: n)
    }

    package var description: String { "\(index)/\(count)" }

    /// Whether this shard trains `group`. A memory model's registry group (`<group>.memory_mib`)
    /// goes with its base group, so one machine trains both models of a VM group.
    package func contains(group: String) -> Bool {
        count <= 1 || Int(Self.stableHash(Self.baseGroup(group)) % UInt64(count)) == index
    }

    /// The VM group a training group belongs to: `web` for `web` and for `web.memory_mib`.
    package static func baseGroup(_ group: String) -> String {
        group.hasSuffix(MemoryModelName.suffix) && group.count > MemoryModelName.suffix.count
            ? String(group.dropLast(MemoryModelName.suffix.count)) : group
    }

    /// FNV-1a (64-bit) of the group name's UTF-8 bytes: the same on every machine, run and Swift
    /// version (Swift's `Hasher` is seeded per process, so it cannot be used here).
    package static func stableHash(_ group: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in group.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
