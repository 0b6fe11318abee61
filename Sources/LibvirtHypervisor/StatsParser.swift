import CLibvirt
import Hypervisor

/// One value of a libvirt typed parameter.
enum TypedValue: Sendable, Hashable {
    case int(Int64), uint(UInt64), double(Double), bool(Bool), string(String)

    init(_ parameter: virTypedParameter) {
        switch UInt32(bitPattern: parameter.type) {
        case VIR_TYPED_PARAM_INT.rawValue: self = .int(Int64(parameter.value.i))
        case VIR_TYPED_PARAM_UINT.rawValue: self = .uint(UInt64(parameter.value.ui))
        case VIR_TYPED_PARAM_LLONG.rawValue: self = .int(parameter.value.l)
        case VIR_TYPED_PARAM_ULLONG.rawValue: self = .uint(parameter.value.ul)
        case VIR_TYPED_PARAM_DOUBLE.rawValue: self = .double(parameter.value.d)
        case VIR_TYPED_PARAM_BOOLEAN.rawValue: self = .bool(parameter.value.b != 0)
        case VIR_TYPED_PARAM_STRING.rawValue: self = .string(parameter.value.s.map { String(cString: $0) } ?? "")
        default: self = .string("")
        }
    }

    /// The value as an unsigned counter, nil for negatives and non-numbers.
    var unsigned: UInt64? {
        switch self {
        case .uint(let v): v
        case .int(let v): v >= 0 ? UInt64(v) : nil
        case .double(let v): v >= 0 && v < 1.8e19 ? UInt64(v) : nil
        case .bool, .string: nil
        }
    }
}

/// `virConnectGetAllDomainStats` records (libvirt's field names: `state.state`, `cpu.time`,
/// `balloon.current`, `vcpu.current`, `block.<n>.rd.bytes`, `net.<n>.rx.bytes`, …) into
/// `DomainStats`. Per-device counters are summed; a group the driver did not report stays nil.
enum StatsParser {
    static func parse(name: String, fields: [(String, TypedValue)]) -> DomainStats {
        var stats = DomainStats(name: name, state: .unknown)
        func add(_ total: inout UInt64?, _ value: TypedValue) {
            guard let v = value.unsigned else { return }
            total = (total ?? 0) &+ v
        }
        for (field, value) in fields {
            switch field {
            case "state.state":
                if case .int(let v) = value { stats.state = DomainState(libvirt: Int32(truncatingIfNeeded: v)) }
                if case .uint(let v) = value { stats.state = DomainState(libvirt: Int32(truncatingIfNeeded: v)) }
            case "cpu.time": stats.cpuTimeNanoseconds = value.unsigned
            case "balloon.current": stats.balloonCurrentKiB = value.unsigned
            case "balloon.maximum": stats.balloonMaximumKiB = value.unsigned
            case "vcpu.current": stats.vcpus = value.unsigned.flatMap { Int(exactly: $0) }
            // A domain with no disk (or no NIC) reports a count of 0 and no device fields: it moves
            // no bytes, which is 0, not unknown. (A driver that reports no count leaves them nil.)
            case "block.count":
                if value.unsigned == 0 { stats.blockReadBytes = stats.blockReadBytes ?? 0; stats.blockWriteBytes = stats.blockWriteBytes ?? 0 }
            case "net.count":
                if value.unsigned == 0 {
                    stats.networkReceivedBytes = stats.networkReceivedBytes ?? 0
                    stats.networkTransmittedBytes = stats.networkTransmittedBytes ?? 0
                }
            default:
                let parts = field.split(separator: ".")
                // Per-device counters look like `block.0.rd.bytes`; skip `block.count`, names, paths.
                guard parts.count == 4, Int(parts[1]) != nil, parts[3] == "bytes" else { continue }
                switch (parts[0], parts[2]) {
                case ("block", "rd"): add(&stats.blockReadBytes, value)
                case ("block", "wr"): add(&stats.blockWriteBytes, value)
                case ("net", "rx"): add(&stats.networkReceivedBytes, value)
                case ("net", "tx"): add(&stats.networkTransmittedBytes, value)
                default: continue
                }
            }
        }
        return stats
    }
}
