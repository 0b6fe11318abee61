/// One active domain's live counters: the actuator's metrics feed.
///
/// Counters are cumulative since the domain started (rates come from differences between
/// samples); a counter the driver does not report is nil, never 0. Block and network counters are
/// summed over the domain's devices.
public struct DomainStats: Sendable, Hashable {
    public var name: String
    public var state: DomainState
    /// Total CPU time used by the domain, nanoseconds.
    public var cpuTimeNanoseconds: UInt64?
    /// The balloon's current size (memory the guest holds), KiB.
    public var balloonCurrentKiB: UInt64?
    /// The balloon's maximum, KiB.
    package var balloonMaximumKiB: UInt64?
    /// Live vCPUs.
    public var vcpus: Int?
    public var blockReadBytes: UInt64?
    public var blockWriteBytes: UInt64?
    public var networkReceivedBytes: UInt64?
    public var networkTransmittedBytes: UInt64?

    package init(name: String, state: DomainState, cpuTimeNanoseconds: UInt64? = nil,
                balloonCurrentKiB: UInt64? = nil, balloonMaximumKiB: UInt64? = nil, vcpus: Int? = nil,
                blockReadBytes: UInt64? = nil, blockWriteBytes: UInt64? = nil,
                networkReceivedBytes: UInt64? = nil, networkTransmittedBytes: UInt64? = nil) {
        self.name = name
        self.state = state
        self.cpuTimeNanoseconds = cpuTimeNanoseconds
        self.balloonCurrentKiB = balloonCurrentKiB
        self.balloonMaximumKiB = balloonMaximumKiB
        self.vcpus = vcpus
        self.blockReadBytes = blockReadBytes
        self.blockWriteBytes = blockWriteBytes
        self.networkReceivedBytes = networkReceivedBytes
        self.networkTransmittedBytes = networkTransmittedBytes
    }
}
