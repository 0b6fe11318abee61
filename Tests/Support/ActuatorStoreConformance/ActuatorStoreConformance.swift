import MetricStore
import Testing

/// The behavioural suite every `ActuatorStore` passes (as HypervisorConformance does for
/// hypervisors): each `Check` drives a fresh, empty store through one behaviour and records
/// failures with swift-testing's `#expect`. ActuatorStoreTests runs every check against
/// `MetricStore` (SQLite) and `PostgresStore`.
package enum ActuatorStoreConformance {
    /// What a run needs from the implementation under test.
    package struct Context: Sendable {
        /// A fresh, empty, migrated store (one per check keeps checks independent).
        package var makeStore: @Sendable () throws -> any ActuatorStore

        package init(makeStore: @escaping @Sendable () throws -> any ActuatorStore) {
            self.makeStore = makeStore
        }
    }

    /// One behaviour of the contract.
    package enum Check: String, CaseIterable, Sendable, CustomStringConvertible {
        case migrationsAreVersionedByName
        case hostsReportReservationsAndFreeCapacity
        case reserveRefusesWithoutWriting
        case shadowListingsFilterAndSort
        case transitionsCompareAndSetAndRelease
        case illegalTransitionsAreRefused
        case adoptionReplacesTheRecord
        case activationIsClaimedOnce
        case activationOutcomesMoveTheShadow
        case activationSizesAndHistory
        case decisionsAndStateCommitTogether
        case noticesFilterByKindWindowAndScope
        case noticeGroupCommitStoresEveryEvent
        case routesReplaceAndList
        case samplesReplaceSkipNaNAndCheckTheGrid
        case samplesAreAllOrNothing
        case leasesGoToOneOwnerAtATime
        case leaseTokensGrowAcrossOwners
        case leasesRenewInOneBatch
        case staleTokenWritesAreRefused
        case fenceMustNameTheShadowsGroup
        case hostMeasurementsRoundTrip
        case hostsGoUnreachableLostAndUpAgain

        package var description: String { rawValue }

        /// Runs the check on a fresh store from `context`.
        package func run(in context: Context) async throws {
            let store = try context.makeStore()
            switch self {
            case .migrationsAreVersionedByName: try Checks.migrationsAreVersionedByName(store)
            case .hostsReportReservationsAndFreeCapacity: try Checks.hostsReportReservationsAndFreeCapacity(store)
            case .reserveRefusesWithoutWriting: try Checks.reserveRefusesWithoutWriting(store)
            case .shadowListingsFilterAndSort: try Checks.shadowListingsFilterAndSort(store)
            case .transitionsCompareAndSetAndRelease: try Checks.transitionsCompareAndSetAndRelease(store)
            case .illegalTransitionsAreRefused: try Checks.illegalTransitionsAreRefused(store)
            case .adoptionReplacesTheRecord: try Checks.adoptionReplacesTheRecord(store)
            case .activationIsClaimedOnce: try Checks.activationIsClaimedOnce(store)
            case .activationOutcomesMoveTheShadow: try Checks.activationOutcomesMoveTheShadow(store)
            case .activationSizesAndHistory: try Checks.activationSizesAndHistory(store)
            case .decisionsAndStateCommitTogether: try Checks.decisionsAndStateCommitTogether(store)
            case .noticesFilterByKindWindowAndScope: try Checks.noticesFilterByKindWindowAndScope(store)
            case .noticeGroupCommitStoresEveryEvent: try await Checks.noticeGroupCommitStoresEveryEvent(store)
            case .routesReplaceAndList: try Checks.routesReplaceAndList(store)
            case .samplesReplaceSkipNaNAndCheckTheGrid: try Checks.samplesReplaceSkipNaNAndCheckTheGrid(store)
            case .samplesAreAllOrNothing: try Checks.samplesAreAllOrNothing(store)
            case .leasesGoToOneOwnerAtATime: try Checks.leasesGoToOneOwnerAtATime(store)
            case .leaseTokensGrowAcrossOwners: try Checks.leaseTokensGrowAcrossOwners(store)
            case .leasesRenewInOneBatch: try Checks.leasesRenewInOneBatch(store)
            case .staleTokenWritesAreRefused: try Checks.staleTokenWritesAreRefused(store)
            case .fenceMustNameTheShadowsGroup: try Checks.fenceMustNameTheShadowsGroup(store)
            case .hostMeasurementsRoundTrip: try Checks.hostMeasurementsRoundTrip(store)
            case .hostsGoUnreachableLostAndUpAgain: try Checks.hostsGoUnreachableLostAndUpAgain(store)
            }
        }
    }

    /// The migrations every implementation applies, by name, in order.
    package static let migrationNames = [
        "v1-series-samples-events", "v2-actuator-inventory", "v3-actuator-decisions", "v4-shadows-state-group-indexes",
        "v5-actuator-state", "v6-routing-state", "v7-activation-size", "v8-leases", "v9-host-status",
    ]
}

/// Expects `body` to fail with `code`.
func expectCode(_ code: MetricStoreError.Code, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("\(what): expected \(code), but it succeeded", sourceLocation: sourceLocation)
    } catch {
        #expect((error as? MetricStoreError)?.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
    }
}

/// Small fixtures shared by the checks.
enum Fixture {
    static func host(_ name: String, vcpus: Int64 = 16, memoryMiB: Int64 = 65_536, units: Int64 = 100,
                     enabled: Bool = true) -> HostRecord {
        HostRecord(name: name, uri: "test:///\(name)", capacity: CapacityAmount(vcpus: vcpus, memoryMiB: memoryMiB, units: units),
                   labels: ["rack": "r1"], enabled: enabled, updatedAt: 10)
    }

    static func shadow(_ id: String, group: String = "web", host: String = "h1", state: ShadowState = .ready,
                       vcpus: Int64 = 4, memoryMiB: Int64 = 8192, units: Int64 = 10) -> ShadowRecord {
        ShadowRecord(id: id, group: group, host: host, domainName: "psm-\(id)", state: state, baselineVCPUs: 1,
                     baselineMemoryMiB: 1024, fullVCPUs: vcpus, fullMemoryMiB: memoryMiB, reservedUnits: units,
                     createdAt: 100, updatedAt: 100)
    }
}
