/// Where a VM group's **memory** model lives in the registry (issue 14 item 4): a group of its own,
/// `<group>.memory_mib`, beside the group's CPU (demand) model, so publishing, promoting or rolling
/// back one never moves the other. `psm train` publishes it from the collector's
/// `<group>/memory_mib` series in the actuator's store; the actuator scores it when it exists
/// (docs/models.md, "Memory models").
package enum MemoryModelName {
    /// The collector's metric the memory model forecasts (MiB held by the group's running VMs).
    package static let metric = "memory_mib"
    /// The suffix that makes a registry group a memory model's.
    package static let suffix = ".memory_mib"

    /// The registry group of `group`'s memory model; nil when that name is not a valid registry
    /// group (a group name over 118 characters, or one no registry group could have).
    package static func registryGroup(of group: String) -> String? {
        let name = group + suffix
        return RegistryNames.isValidGroup(name) ? name : nil
    }

    /// The collector's series of `group`'s memory in the actuator's store (`<group>/memory_mib`),
    /// also the memory model's series id.
    package static func seriesKey(of group: String) -> String { group + "/" + metric }
}
