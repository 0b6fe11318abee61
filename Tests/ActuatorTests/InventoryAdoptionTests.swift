import Actuator
import Hypervisor
import MetricStore
import Testing

/// Every branch of `Adoption.plan`, on hand-built listings and records.
@Suite struct InventoryAdoptionTests {
    static let baseline = ResourceSize(vcpus: 1, memoryKiB: 262_144)
    static let full = ResourceSize(vcpus: 4, memoryKiB: 1_048_576)

    func tag(_ id: String, group: String = "web", role: ShadowMetadata.Role = .shadow, host: String? = "h1") -> ShadowMetadata {
        ShadowMetadata(group: group, shadowID: id, role: role, reservationHost: host, baseline: Self.baseline, full: Self.full,
                       createdAt: 500)
    }

    func domain(_ name: String, _ state: DomainState, _ tag: ShadowMetadata?, vcpus: Int = 1,
                memoryKiB: UInt64 = 262_144) -> DomainInfo {
        DomainInfo(name: name, uuid: nil, state: state, vcpus: vcpus, maximumVCPUs: 4, memoryKiB: memoryKiB,
                   maximumMemoryKiB: 1_048_576, metadata: tag)
    }

    func record(_ id: String, _ state: ShadowState, domain: String? = nil, host: String = "h1",
                activation: String? = nil) -> ShadowRecord {
        ShadowRecord(id: id, group: "web", host: host, domainName: domain ?? "d-\(id)", state: state, baselineVCPUs: 1,
                     baselineMemoryMiB: 256, fullVCPUs: 4, fullMemoryMiB: 1_024, reservedUnits: 40, createdAt: 100,
                     updatedAt: 100, activationID: activation)
    }

    func plan(_ records: [ShadowRecord], _ domains: [DomainInfo]) -> [AdoptionAction] {
        Adoption.plan(storeShadows: records, domains: domains, host: "h1", knownGroups: ["web"],
                      units: { Int64($0.vcpus) * 10 })
    }

    @Test func domainsWithoutPsmMetadataAreNeverTouched() {
        // Even when a record names it: without the tag it is not psm's, and the record is what is missing.
        #expect(plan([], [domain("unmanaged", .running, nil), domain("other", .paused, nil)]).isEmpty)
        #expect(plan([record("s", .ready, domain: "unmanaged")], [domain("unmanaged", .paused, nil)])
                == [.transition(shadowID: "s", from: .ready, to: .gone)])
    }

    /// A host that was lost comes back: its parked shadows were replaced (removed), an activated
    /// one still running serves (adopted as active, without a reservation).
    @Test func shadowsLostWithTheirHostAreRemovedWhenParkedAndAdoptedWhenRunning() {
        var parked = record("p", .gone)
        parked.lostAt = 900
        var running = record("r", .gone)
        running.lostAt = 900
        let actions = plan([parked, running], [domain("d-p", .paused, tag("p")),
                                               domain("d-r", .running, tag("r", role: .active, host: nil), vcpus: 4,
                                                      memoryKiB: 1_048_576)])
        #expect(actions.first == .removeDomain("d-p", reason: "shadow p was lost with host h1 and replaced"))
        guard actions.count == 2, case .adopt(let adopted, let reserving) = actions[1] else {
            Issue.record("\(actions)"); return
        }
        #expect(adopted.id == "r" && adopted.state == .active && !reserving)
        // A gone record that was not lost (removed by psm) keeps the old rule: adopted again.
        guard case .adopt = plan([record("q", .gone)], [domain("d-q", .paused, tag("q"))]).first else {
            Issue.record("not adopted"); return
        }
    }

    @Test func anUnrecordedParkedShadowIsAdoptedWithItsReservation() {
        let expected = ShadowRecord(id: "s", group: "web", host: "h1", domainName: "d-s", state: .ready, baselineVCPUs: 1,
                                    baselineMemoryMiB: 256, fullVCPUs: 4, fullMemoryMiB: 1_024, reservedUnits: 40,
                                    createdAt: 500, updatedAt: 500)
        #expect(plan([], [domain("d-s", .paused, tag("s"))]) == [.adopt(expected, reserving: true)])
        // Saved counts as parked; a tag without the reservation host is repaired to name it.
        var saved = expected
        saved.domainName = "d-t"
        saved.id = "t"
        #expect(plan([], [domain("d-t", .saved, tag("t", host: nil))])
                == [.adopt(saved, reserving: true), .repairMetadata(domain: "d-t", tag("t", host: "h1"))])
    }

    @Test func anUnrecordedRunningShadowIsAdoptedActiveWithoutReservation() {
        let actions = plan([], [domain("d-s", .running, tag("s"), vcpus: 4, memoryKiB: 1_048_576)])
        guard case .adopt(let adopted, let reserving) = actions.first else { Issue.record("not adopted: \(actions)"); return }
        #expect(adopted.state == .active && reserving == false)
        #expect(actions.dropFirst() == [.repairMetadata(domain: "d-s", tag("s", role: .active, host: nil))])
    }

    @Test func anUnrecordedShadowOfAnUnknownGroupOrNeitherParkedNorRunningIsRemoved() {
        #expect(plan([], [domain("d-s", .paused, tag("s", group: "batch"))])
                == [.removeDomain("d-s", reason: "group 'batch' is not configured")])
        let off = plan([], [domain("d-s", .shutoff, tag("s"))])
        guard case .removeDomain("d-s", _) = off.first, off.count == 1 else { Issue.record("\(off)"); return }
    }

    @Test func aRecordWhoseDomainIsMissingIsMarkedGone() {
        #expect(plan([record("r", .ready), record("a", .active), record("d", .decommissioning), record("f", .defining)], [])
                == [.transition(shadowID: "a", from: .active, to: .gone),
                    .transition(shadowID: "d", from: .decommissioning, to: .gone),
                    .transition(shadowID: "f", from: .defining, to: .gone),
                    .transition(shadowID: "r", from: .ready, to: .gone)])
        #expect(plan([record("x", .activating, activation: "act")], [])
                == [.failActivation(shadowID: "x", activationID: "act"),
                    .transition(shadowID: "x", from: .decommissioning, to: .gone)])
        // Not yet defined, already gone, or another host's: nothing to do.
        #expect(plan([record("p", .planned), record("g", .gone), record("o", .ready, host: "h2")], []).isEmpty)
    }

    @Test func anActivationThatReachedRunningAtFullSizeIsCompletedOnce() {
        let running = domain("d-s", .running, tag("s"), vcpus: 4, memoryKiB: 1_048_576)
        #expect(plan([record("s", .activating, activation: "act")], [running])
                == [.completeActivation(shadowID: "s", activationID: "act", domain: "d-s", growTo: nil),
                    .repairMetadata(domain: "d-s", tag("s", role: .active, host: nil))])
        let short = domain("d-s", .running, tag("s", role: .active, host: nil), vcpus: 4, memoryKiB: 262_144)
        #expect(plan([record("s", .activating, activation: "act")], [short])
                == [.completeActivation(shadowID: "s", activationID: "act", domain: "d-s", growTo: Self.full)])
    }

    @Test func anActivationInterruptedWhileParkedIsRolledBack() {
        let grown = domain("d-s", .paused, tag("s"), vcpus: 4, memoryKiB: 1_048_576)
        #expect(plan([record("s", .activating, activation: "act")], [grown])
                == [.rollBackActivation(shadowID: "s", activationID: "act", domain: "d-s", memoryKiB: 262_144)])
        // A paused domain that reports its baseline is shrunk all the same: on QEMU the reported
        // size is the balloon's actual one, blind to a target raised while paused.
        let untouched = domain("d-s", .paused, tag("s"))
        #expect(plan([record("s", .activating, activation: "act")], [untouched])
                == [.rollBackActivation(shadowID: "s", activationID: "act", domain: "d-s", memoryKiB: 262_144)])
        let saved = domain("d-s", .saved, tag("s"))
        #expect(plan([record("s", .activating, activation: "act")], [saved])
                == [.rollBackActivation(shadowID: "s", activationID: "act", domain: "d-s", memoryKiB: nil)])
    }

    @Test func anActivationWhoseDomainIsOffFailsAndTheDomainIsRemoved() {
        let actions = plan([record("s", .activating, activation: "act")], [domain("d-s", .shutoff, tag("s"))])
        #expect(actions.count == 3)
        #expect(actions.first == .failActivation(shadowID: "s", activationID: "act"))
        #expect(actions.last == .transition(shadowID: "s", from: .decommissioning, to: .gone))
    }

    /// Under the default process durability a power loss can undo the last commits while the
    /// domain keeps its metadata (libvirt's own file) and stops: a tag that says active is what
    /// the activation reached.
    @Test func aStoppedDomainTaggedActiveKeepsTheActivationWhoseCommitWasLost() {
        let stopped = domain("d-s", .shutoff, tag("s", role: .active, host: nil), vcpus: 4, memoryKiB: 1_048_576)
        // The outcome commit was lost: the activation is completed, not failed.
        #expect(plan([record("s", .activating, activation: "act")], [stopped])
                == [.completeActivation(shadowID: "s", activationID: "act", domain: "d-s", growTo: nil)])
        // The claim itself was lost: the shadow is a member of its group, not removed.
        #expect(plan([record("s", .ready)], [stopped]) == [.transition(shadowID: "s", from: .ready, to: .active)])
        // Without the tag the stopped shadow is still removed as before.
        let plain = plan([record("s", .ready)], [domain("d-s", .shutoff, tag("s"))])
        #expect(plain.last == .transition(shadowID: "s", from: .ready, to: .gone))
    }

    @Test func consistentRecordsNeedNothingAndDriftedMetadataIsRepaired() {
        #expect(plan([record("s", .ready)], [domain("d-s", .paused, tag("s"))]).isEmpty)
        #expect(plan([record("a", .active)], [domain("d-a", .running, tag("a", role: .active, host: nil))]).isEmpty)
        #expect(plan([record("s", .ready)], [domain("d-s", .saved, tag("s", host: "h9"))])
                == [.repairMetadata(domain: "d-s", tag("s", host: "h1"))])
    }

    @Test func recordsAreRepairedToWhatTheDomainShows() {
        // Resumed outside psm: active now, reservation released, tag follows.
        #expect(plan([record("s", .ready)], [domain("d-s", .running, tag("s"))])
                == [.transition(shadowID: "s", from: .ready, to: .active),
                    .repairMetadata(domain: "d-s", tag("s", role: .active, host: nil))])
        #expect(plan([record("s", .defining)], [domain("d-s", .paused, tag("s"))])
                == [.transition(shadowID: "s", from: .defining, to: .ready)])
        let interrupted = plan([record("s", .defining)], [domain("d-s", .shutoff, tag("s"))])
        #expect(interrupted.count == 2 && interrupted.last == .transition(shadowID: "s", from: .defining, to: .gone))
        let decommissioned = plan([record("s", .decommissioning)], [domain("d-s", .paused, tag("s"))])
        #expect(decommissioned == [.removeDomain("d-s", reason: "decommissioning was interrupted"),
                                   .transition(shadowID: "s", from: .decommissioning, to: .gone)])
    }

    @Test func aGoneRecordWhoseDomainReappearsIsAdoptedAgain() {
        let actions = plan([record("s", .gone, domain: "d-s")], [domain("d-s", .paused, tag("s"))])
        guard case .adopt(let adopted, true) = actions.first else { Issue.record("\(actions)"); return }
        #expect(adopted.state == .ready && adopted.createdAt == 100) // keeps the original record's creation time
    }

    @Test func aDuplicatedShadowKeepsTheRecordedDomainAndRemovesTheOther() {
        let actions = plan([record("s", .ready, domain: "d-b")],
                           [domain("d-a", .paused, tag("s")), domain("d-b", .paused, tag("s"))])
        #expect(actions == [.removeDomain("d-a", reason: "duplicate of shadow s")])
        // Without a record the first name is adopted, the other removed.
        let unrecorded = plan([], [domain("d-b", .paused, tag("s")), domain("d-a", .paused, tag("s"))])
        #expect(unrecorded.first == .removeDomain("d-b", reason: "duplicate of shadow s"))
        guard case .adopt(let adopted, _) = unrecorded.last else { Issue.record("\(unrecorded)"); return }
        #expect(adopted.domainName == "d-a")
    }
}
