import Hypervisor
import Testing

/// The behavioural suite every `Hypervisor` must pass (as swift-collections' `CheckCollection`
/// does for collections): each `Check` drives an implementation through one behaviour and records
/// failures with swift-testing's `#expect`, so an implementation's test target runs
/// `try await check.run(in: context)` once per case.
package enum HypervisorConformance {
    /// What a run needs from the implementation under test.
    package struct Context: Sendable {
        /// A hypervisor to run one check on (a fresh one per check keeps checks independent).
        package var makeHypervisor: @Sendable () async throws -> any Hypervisor
        /// A spec the implementation can define and boot (a QEMU run adds kernel, initrd, serial log).
        package var makeSpec: @Sendable (_ name: String, _ maximum: ResourceSize, _ current: ResourceSize,
                                        _ metadata: ShadowMetadata?) -> DomainSpec
        /// The state a domain managed-saved while paused comes back in, when the implementation
        /// pins it (libvirt's test driver: running; QEMU: paused); nil accepts either.
        package var restoredFromPausedState: DomainState?
        /// Prepended to every domain name a check defines, so that a shared host is not disturbed.
        package var namePrefix: String
        /// How long a running domain's reported memory may take to reach a new target. Zero for
        /// drivers that report the target at once (libvirt's test driver); QEMU reports the
        /// balloon's *actual* size, which follows as the guest's balloon driver inflates or
        /// deflates (seconds after boot on a TCG guest).
        package var memorySettleTimeout: Duration

        package init(makeHypervisor: @escaping @Sendable () async throws -> any Hypervisor,
                    makeSpec: @escaping @Sendable (String, ResourceSize, ResourceSize, ShadowMetadata?) -> DomainSpec = {
                        DomainSpec(name: $0, maximum: $1, current: $2, metadata: $3)
                    },
                    restoredFromPausedState: DomainState? = nil, namePrefix: String = "psm-conformance-",
                    memorySettleTimeout: Duration = .zero) {
            self.makeHypervisor = makeHypervisor
            self.makeSpec = makeSpec
            self.restoredFromPausedState = restoredFromPausedState
            self.namePrefix = namePrefix
            self.memorySettleTimeout = memorySettleTimeout
        }
    }

    /// One behaviour of the protocol.
    package enum Check: String, CaseIterable, Sendable, CustomStringConvertible {
        case defineKeepsMaximumAboveCurrent
        case redefineUpdatesTheDefinition
        case startSuspendResumeCycle
        case suspendOfPausedIsNoOp
        case resumeOfRunningIsNotPaused
        case startOfRunningIsAlreadyRunning
        case liveVCPUsGrowUpToMaximumOnly
        case liveMemoryGrowsUpToMaximumOnly
        case liveChangesWhilePaused
        case liveChangesOnShutOffAreNotRunning
        case managedSaveThenRestoreReportsItsState
        case restoreWithoutImageIsRefused
        case undefineWithSaveImageNeedsTheFlag
        case destroyIsIdempotent
        case metadataRoundTripsThroughList
        case setMetadataReplacesAndRemoves
        case statsCoverRunningDomainsOnly
        case unknownDomainIsNotFound
        case oddNamesAreEscaped
        case invalidSpecIsRejectedBeforeDefining
        case nodeInfoReportsTheHostsSize

        public var description: String { rawValue }

        /// Runs the check on a fresh hypervisor from `context`; domains it defined are removed
        /// afterwards, also when an expectation failed.
        public func run(in context: Context) async throws {
            let hypervisor = try await context.makeHypervisor()
            let scope = Scope(hypervisor: hypervisor, context: context)
            do {
                try await body(scope)
            } catch {
                await scope.cleanUp()
                throw error
            }
            await scope.cleanUp()
        }

        private func body(_ s: Scope) async throws {
            switch self {
            case .defineKeepsMaximumAboveCurrent: try await Checks.defineKeepsMaximumAboveCurrent(s)
            case .redefineUpdatesTheDefinition: try await Checks.redefineUpdatesTheDefinition(s)
            case .startSuspendResumeCycle: try await Checks.startSuspendResumeCycle(s)
            case .suspendOfPausedIsNoOp: try await Checks.suspendOfPausedIsNoOp(s)
            case .resumeOfRunningIsNotPaused: try await Checks.resumeOfRunningIsNotPaused(s)
            case .startOfRunningIsAlreadyRunning: try await Checks.startOfRunningIsAlreadyRunning(s)
            case .liveVCPUsGrowUpToMaximumOnly: try await Checks.liveVCPUsGrowUpToMaximumOnly(s)
            case .liveMemoryGrowsUpToMaximumOnly: try await Checks.liveMemoryGrowsUpToMaximumOnly(s)
            case .liveChangesWhilePaused: try await Checks.liveChangesWhilePaused(s)
            case .liveChangesOnShutOffAreNotRunning: try await Checks.liveChangesOnShutOffAreNotRunning(s)
            case .managedSaveThenRestoreReportsItsState: try await Checks.managedSaveThenRestoreReportsItsState(s)
            case .restoreWithoutImageIsRefused: try await Checks.restoreWithoutImageIsRefused(s)
            case .undefineWithSaveImageNeedsTheFlag: try await Checks.undefineWithSaveImageNeedsTheFlag(s)
            case .destroyIsIdempotent: try await Checks.destroyIsIdempotent(s)
            case .metadataRoundTripsThroughList: try await Checks.metadataRoundTripsThroughList(s)
            case .setMetadataReplacesAndRemoves: try await Checks.setMetadataReplacesAndRemoves(s)
            case .statsCoverRunningDomainsOnly: try await Checks.statsCoverRunningDomainsOnly(s)
            case .unknownDomainIsNotFound: try await Checks.unknownDomainIsNotFound(s)
            case .oddNamesAreEscaped: try await Checks.oddNamesAreEscaped(s)
            case .nodeInfoReportsTheHostsSize: try await Checks.nodeInfoReportsTheHostsSize(s)
            case .invalidSpecIsRejectedBeforeDefining: try await Checks.invalidSpecIsRejectedBeforeDefining(s)
            }
        }
    }
}

/// The hypervisor under test plus the domains a check defined (removed at the end).
/// Not Sendable: it belongs to the one task running the check.
final class Scope {
    let hypervisor: any Hypervisor
    let context: HypervisorConformance.Context
    private var defined: [String] = []

    init(hypervisor: any Hypervisor, context: HypervisorConformance.Context) {
        self.hypervisor = hypervisor
        self.context = context
    }

    static let full = ResourceSize(vcpus: 4, memoryKiB: 1_048_576)
    static let baseline = ResourceSize(vcpus: 1, memoryKiB: 262_144)

    func name(_ suffix: String) -> String { context.namePrefix + suffix }

    func metadata(_ id: String, group: String = "web") -> ShadowMetadata {
        ShadowMetadata(group: group, shadowID: id, role: .shadow, reservationHost: "host-1",
                       baseline: Self.baseline, full: Self.full, createdAt: 1_790_000_000)
    }

    /// Defines `suffix` (prefixed) at the standard baseline/full sizes.
    @discardableResult
    func define(_ suffix: String, metadata: ShadowMetadata? = nil, rawName: Bool = false) async throws -> DomainInfo {
        let domain = rawName ? suffix : name(suffix)
        let info = try await hypervisor.define(context.makeSpec(domain, Self.full, Self.baseline, metadata))
        defined.append(domain)
        return info
    }

    /// Defines and starts `suffix`, returning its full name.
    func running(_ suffix: String) async throws -> String {
        try await define(suffix)
        try await hypervisor.start(name(suffix))
        return name(suffix)
    }

    /// The domain's reported memory once it equals `kib`, or the last value read when
    /// `context.memorySettleTimeout` ran out (one read when it is zero).
    func memory(of name: String, reaching kib: UInt64) async throws -> UInt64 {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: context.memorySettleTimeout)
        var reported = try await hypervisor.info(name).memoryKiB
        while reported != kib, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            reported = try await hypervisor.info(name).memoryKiB
        }
        return reported
    }

    func cleanUp() async {
        for domain in defined {
            try? await hypervisor.destroy(domain)
            try? await hypervisor.undefine(domain, removingManagedSave: true)
        }
        defined.removeAll()
    }
}

/// Expects `body` to fail with `code`.
func expectCode(_ code: HypervisorError.Code, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                _ body: () async throws(HypervisorError) -> Void) async {
    do throws(HypervisorError) {
        try await body()
        Issue.record("\(what): expected \(code), but it succeeded", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
    }
}
