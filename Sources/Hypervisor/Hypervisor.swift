/// What psm needs from a hypervisor: define, park and activate shadow VMs, list them, and read live
/// metrics.
///
/// Domains are addressed by name. Implementations map their native errors to `HypervisorError`
/// once, at their boundary. Behaviour every implementation must show (checked by the
/// `HypervisorConformance` suite):
///
/// - Transitions are strict where a refusal carries information: `resume` of a domain that is not
///   paused fails with `.notPaused` (an activator learns that someone else already activated the
///   shadow), `start` of a running domain fails with `.alreadyRunning`, live changes on a domain
///   that is not running or paused fail with `.notRunning`, growth past the maximum fixed at define
///   time fails with `.overMaximum`.
/// - Transitions whose goal is already reached succeed without acting: `suspend` of a paused
///   domain and `destroy` of a shut-off one (parking and cleanup are retried by the reconciler).
/// - `restore` reports the state the domain actually came back in: drivers differ (QEMU restores
///   a domain saved while paused as paused; libvirt's test driver brings it back running).
public protocol Hypervisor: Sendable {
    /// Defines (or redefines, when the name exists) a persistent domain; it stays shut off.
    func define(_ spec: DomainSpec) async throws(HypervisorError) -> DomainInfo
    /// Boots a shut-off domain (without a save image; use `restore` for one that has).
    func start(_ name: String) async throws(HypervisorError)
    /// Pauses a running domain; a paused one is left as it is.
    func suspend(_ name: String) async throws(HypervisorError)
    /// Resumes a paused domain; fails with `.notPaused` otherwise.
    func resume(_ name: String) async throws(HypervisorError)
    /// Saves the domain's memory to the hypervisor's managed save image and stops it.
    func managedSave(_ name: String) async throws(HypervisorError)
    /// Starts a domain from its managed save image and returns the state it came back in.
    func restore(_ name: String) async throws(HypervisorError) -> DomainState
    /// Changes the live vCPU count (running or paused domain), up to the defined maximum.
    func setVCPUs(_ name: String, to count: Int) async throws(HypervisorError)
    /// Changes the live balloon target in KiB (running or paused domain), up to the defined maximum.
    func setMemory(_ name: String, toKiB kib: UInt64) async throws(HypervisorError)
    /// Powers the domain off at once; a shut-off domain is left as it is.
    func destroy(_ name: String) async throws(HypervisorError)
    /// Removes the domain's definition; with `removingManagedSave` also its save image, otherwise a
    /// domain that has one is refused with `.saveImagePresent`.
    func undefine(_ name: String, removingManagedSave: Bool) async throws(HypervisorError)
    /// Replaces (or with nil removes) psm's metadata on the domain's persistent definition and,
    /// when it is active, on the live domain.
    func setMetadata(_ metadata: ShadowMetadata?, of name: String) async throws(HypervisorError)
    /// One domain's sizes, state and psm metadata.
    func info(_ name: String) async throws(HypervisorError) -> DomainInfo
    /// Every domain, active or not, psm's or not (`metadata` is nil for domains psm did not tag).
    func list() async throws(HypervisorError) -> [DomainInfo]
    /// Every domain's name and current vCPUs and memory, active or not, without state or metadata:
    /// what measuring a host's load needs, in fewer calls per domain than `list` (a host's check
    /// reads every domain it holds each cycle).
    func allocations() async throws(HypervisorError) -> [DomainAllocation]
    /// The operator's member tag of the domain (`MemberTag`), nil when it has none; a protocol
    /// extension answers nil for hypervisors without tags.
    func memberTag(of name: String) async throws(HypervisorError) -> String?
    /// Live counters of every active domain (the metrics feed); counters a driver does not report
    /// are nil.
    func stats() async throws(HypervisorError) -> [DomainStats]
    /// The IP addresses the domain's interfaces have (no prefix length, no loopback), IPv4 before
    /// IPv6, as the first source that knows any reports them: DHCP leases, then the host's ARP
    /// table, then the guest agent (libvirt). Empty when no source knows one yet (a guest still
    /// booting, no NIC, or a driver that cannot tell); `.notFound` when the domain does not exist.
    func interfaceAddresses(_ name: String) async throws(HypervisorError) -> [String]
    /// The host's CPUs, memory and free memory (`NodeInfo`), read live: placement's capacity.
    func nodeInfo() async throws(HypervisorError) -> NodeInfo
}
