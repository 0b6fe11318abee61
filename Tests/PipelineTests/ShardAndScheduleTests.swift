import Foundation
import Pipeline
import Testing

@Suite struct ShardAndScheduleTests {
    @Test func hashIsFNV1aSoEveryMachineAgrees() {
        // Published FNV-1a 64-bit test vectors (Fowler/Noll/Vo reference code): "" and "a".
        #expect(Shard.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.stableHash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func shardsPartitionTheGroups() throws {
        let groups = (0..<200).map { "group-\($0)" }
        for n in [1, 2, 3, 7] {
            let shards = try (0..<n).map { try #require(Shard("\($0)/\(n)")) }
            for g in groups { #expect(shards.count { $0.contains(group: g) } == 1) }
            if n > 1 { #expect(shards.allSatisfy { s in groups.contains { s.contains(group: $0) } }) }
        }
    }

    /// A group's memory model (`<group>.memory_mib`) is trained by the shard of its group: split
    /// apart, one machine would publish a CPU model whose memory model another machine trains.
    @Test func memoryModelGoesWithItsGroup() throws {
        let groups = (0..<200).map { "group-\($0)" }
        let shards = try (0..<3).map { try #require(Shard("\($0)/3")) }
        var split = 0
        for g in groups {
            let cpu = shards.firstIndex { $0.contains(group: g) }
            let memory = shards.firstIndex { $0.contains(group: g + ".memory_mib") }
            #expect(cpu != nil && cpu == memory, "\(g)")
            // Hashing the full names would have split about two thirds of them.
            if Int(Shard.stableHash(g) % 3) != Int(Shard.stableHash(g + ".memory_mib") % 3) { split += 1 }
        }
        #expect(split > 100)
        #expect(Shard.baseGroup("web.memory_mib") == "web" && Shard.baseGroup(".memory_mib") == ".memory_mib")
    }

    @Test func shardSyntax() {
        #expect(Shard("2/4")?.index == 2)
        for bad in ["4/4", "-1/3", "1/0", "1", "a/b", "1/2/3", ""] { #expect(Shard(bad) == nil, "\(bad)") }
    }

    @Test func durationsParse() {
        #expect(Schedule("6h")?.interval == 21_600)
        #expect(Schedule("30m")?.interval == 1800)
        #expect(Schedule("1d")?.interval == 86_400)
        for bad in ["6", "h", "0h", "30s", "-1h", "6x", "99999999999999999d"] { #expect(Schedule(bad) == nil, "\(bad)") }
    }

    @Test func slotsAreWallClockMultiples() throws {
        let s = try #require(Schedule("6h"))
        // 2026-11-29T04:01:53Z → next slot 06:00Z; exactly on a slot → the one after.
        let t = Date(timeIntervalSince1970: 1_795_924_913)
        #expect(s.nextSlot(after: t).timeIntervalSince1970 == 1_795_932_000)
        #expect(s.nextSlot(after: Date(timeIntervalSince1970: 1_795_932_000)).timeIntervalSince1970 == 1_795_953_600)
    }
}
