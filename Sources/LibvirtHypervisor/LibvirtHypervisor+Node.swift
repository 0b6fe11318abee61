import CLibvirt
import Hypervisor

/// The host's own size: CPUs and memory (`virNodeGetInfo`), free memory (`virNodeGetMemoryStats`,
/// else `virNodeGetFreeMemory`).
extension LibvirtHypervisor {
    public func nodeInfo() throws(HypervisorError) -> NodeInfo {
        try withConnection("nodeInfo", domain: nil) { connection throws(HypervisorError) in
            var info = virNodeInfo()
            guard virNodeGetInfo(connection, &info) == 0 else {
                throw LibvirtErrorMapping.error(NativeError.take(), operation: "nodeInfo", domain: nil)
            }
            return NodeInfo(cpus: Int(info.cpus), memoryKiB: UInt64(info.memory),
                            freeMemoryKiB: Self.freeMemoryKiB(connection))
        }
    }

    /// Memory the host could give a new domain now, KiB: free + buffers + cached from the node's
    /// memory statistics (the kernel reclaims the page cache for a guest), else libvirt's free
    /// memory of all NUMA cells; nil when the driver reports neither (an unsupported call is not
    /// an error of the host, so libvirt's error is cleared).
    static func freeMemoryKiB(_ connection: OpaquePointer) -> UInt64? {
        var count: Int32 = 0
        let allCells = Int32(VIR_NODE_MEMORY_STATS_ALL_CELLS.rawValue)
        if virNodeGetMemoryStats(connection, allCells, nil, &count, 0) == 0, count > 0 {
            var stats = [virNodeMemoryStats](repeating: virNodeMemoryStats(), count: Int(count))
            if virNodeGetMemoryStats(connection, allCells, &stats, &count, 0) == 0 {
                var fields: [String: UInt64] = [:]
                for var stat in stats.prefix(Int(count)) {
                    let name = withUnsafeBytes(of: &stat.field) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    fields[name] = stat.value
                }
                if let free = fields[VIR_NODE_MEMORY_STATS_FREE] {
                    return free + (fields[VIR_NODE_MEMORY_STATS_BUFFERS] ?? 0) + (fields[VIR_NODE_MEMORY_STATS_CACHED] ?? 0)
                }
            }
        }
        _ = NativeError.take()
        let bytes = virNodeGetFreeMemory(connection)
        _ = NativeError.take()
        return bytes > 0 ? bytes / 1024 : nil
    }
}
