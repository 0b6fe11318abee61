import CLibvirt
import Foundation
import Hypervisor

/// Reading domains back: sizes, state, psm's metadata, and the bulk statistics feed.
extension LibvirtHypervisor {
    public func info(_ name: String) throws(HypervisorError) -> DomainInfo {
        try withDomain("info", name) { domain throws(HypervisorError) in
            try describe(domain, name: name, operation: "info")
        }
    }

    public func list() throws(HypervisorError) -> [DomainInfo] {
        try eachDomain("list") { domain, name throws(HypervisorError) in try describe(domain, name: name, operation: "list") }
    }

    /// Name and `virDomainGetInfo` per domain: its current vCPUs and memory (the balloon's size
    /// for an active domain, the configured one for an inactive one), as `list` reports them.
    public func allocations() throws(HypervisorError) -> [DomainAllocation] {
        try eachDomain("allocations") { domain, name throws(HypervisorError) in
            var info = virDomainInfo()
            guard virDomainGetInfo(domain, &info) == 0 else {
                throw LibvirtErrorMapping.error(NativeError.take(), operation: "allocations", domain: name)
            }
            return DomainAllocation(name: name, vcpus: Int(info.nrVirtCpu), memoryKiB: UInt64(info.memory))
        }
    }

    /// `read` of every domain, active or not, sorted by name: a domain undefined between the
    /// listing and its read (`.notFound`) is left out; any other failure stops the walk and is
    /// thrown once every handle is freed.
    private func eachDomain<T>(_ operation: String,
                               _ read: (OpaquePointer, String) throws(HypervisorError) -> T) throws(HypervisorError) -> [T] {
        try withConnection(operation, domain: nil) { connection throws(HypervisorError) in
            var handles: UnsafeMutablePointer<OpaquePointer?>?
            let count = virConnectListAllDomains(connection, &handles, 0)
            guard count >= 0 else { throw LibvirtErrorMapping.error(NativeError.take(), operation: operation, domain: nil) }
            defer { free(handles) }
            var result: [(name: String, value: T)] = []
            result.reserveCapacity(Int(count))
            var failure: HypervisorError?
            for index in 0..<Int(count) {
                guard let domain = handles?[index] else { continue }
                defer { virDomainFree(domain) }
                guard failure == nil else { continue }
                let name = virDomainGetName(domain).map { String(cString: $0) } ?? ""
                do throws(HypervisorError) {
                    result.append((name, try read(domain, name)))
                } catch where error.code == .notFound {
                    continue // undefined between listing and reading: no longer there
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            return result.sorted { $0.name < $1.name }.map(\.value)
        }
    }

    public func stats() throws(HypervisorError) -> [DomainStats] {
        let groups = VIR_DOMAIN_STATS_STATE.rawValue | VIR_DOMAIN_STATS_CPU_TOTAL.rawValue
            | VIR_DOMAIN_STATS_BALLOON.rawValue | VIR_DOMAIN_STATS_VCPU.rawValue
            | VIR_DOMAIN_STATS_INTERFACE.rawValue | VIR_DOMAIN_STATS_BLOCK.rawValue
        let flags = VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE.rawValue
        return try withConnection("stats", domain: nil) { connection throws(HypervisorError) in
            var records: UnsafeMutablePointer<virDomainStatsRecordPtr?>?
            let count = virConnectGetAllDomainStats(connection, UInt32(groups), &records, UInt32(flags))
            guard count >= 0 else { throw LibvirtErrorMapping.error(NativeError.take(), operation: "stats", domain: nil) }
            defer { virDomainStatsRecordListFree(records) }
            var result: [DomainStats] = []
            for index in 0..<Int(count) {
                guard let record = records?[index]?.pointee else { continue }
                let name = virDomainGetName(record.dom).map { String(cString: $0) } ?? ""
                var fields: [(String, TypedValue)] = []
                fields.reserveCapacity(Int(record.nparams))
                for p in 0..<Int(max(record.nparams, 0)) {
                    guard let parameter = record.params?[p] else { continue }
                    fields.append((Self.fieldName(parameter), TypedValue(parameter)))
                }
                result.append(StatsParser.parse(name: name, fields: fields))
            }
            return result.sorted { $0.name < $1.name }
        }
    }

    private static func fieldName(_ parameter: virTypedParameter) -> String {
        withUnsafeBytes(of: parameter.field) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Everything `DomainInfo` holds, read from a domain handle.
    func describe(_ domain: OpaquePointer, name: String, operation: String) throws(HypervisorError) -> DomainInfo {
        func fail() -> HypervisorError { LibvirtErrorMapping.error(NativeError.take(), operation: operation, domain: name) }
        let state = try state(of: domain, name: name, operation: operation)
        var info = virDomainInfo()
        guard virDomainGetInfo(domain, &info) == 0 else { throw fail() }
        // AFFECT_CURRENT: the live values of an active domain, the boot values of an inactive one.
        let maximumVCPUs = virDomainGetVcpusFlags(domain, UInt32(VIR_DOMAIN_VCPU_MAXIMUM.rawValue))
        let vcpus = virDomainGetVcpusFlags(domain, 0)
        guard maximumVCPUs >= 0, vcpus >= 0 else { throw fail() }
        return DomainInfo(name: name, uuid: uuid(of: domain), state: state, vcpus: Int(vcpus), maximumVCPUs: Int(maximumVCPUs),
                          memoryKiB: UInt64(info.memory), maximumMemoryKiB: UInt64(info.maxMem),
                          metadata: metadata(of: domain))
    }

    func uuid(of domain: OpaquePointer) -> UUID? {
        var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        guard virDomainGetUUIDString(domain, &buffer) == 0 else { return nil }
        return UUID(uuidString: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    // `async` like the requirement: a synchronous one would lose to the protocol extension's default
    // (which answers nil) in a direct call from async code, which prefers async overloads.
    public func memberTag(of name: String) async throws(HypervisorError) -> String? {
        try withDomain("memberTag", name) { domain throws(HypervisorError) in
            guard let text = virDomainGetMetadata(domain, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), MemberTag.namespace, 0) else {
                let error = NativeError.take()
                // VIR_ERR_NO_DOMAIN_METADATA: no tag. Anything else (the domain vanished) is an error.
                if error?.isNumber(VIR_ERR_NO_DOMAIN_METADATA) == true { return nil }
                throw LibvirtErrorMapping.error(error, operation: "memberTag", domain: name)
            }
            defer { free(text) }
            return MetadataXML.firstElementAttributes(String(cString: text))?["tag"]
        }
    }

    /// psm's metadata element, nil when absent or not parseable as psm's.
    private func metadata(of domain: OpaquePointer) -> ShadowMetadata? {
        guard let text = virDomainGetMetadata(domain, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue),
                                              ShadowMetadata.namespace, 0) else {
            NativeError.discard() // VIR_ERR_NO_DOMAIN_METADATA: not a psm domain
            return nil
        }
        defer { free(text) }
        return MetadataXML.parse(String(cString: text))
    }
}
