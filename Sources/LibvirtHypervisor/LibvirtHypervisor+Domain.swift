import CLibvirt
import Foundation
import Hypervisor

/// Lifecycle operations. Each looks the domain up by name, calls libvirt once, and on failure
/// refines libvirt's error from the domain's actual state, so that every driver reports the same
/// psm code for the same situation (see `Hypervisor` for which refusals are kept and which
/// transitions are no-ops).
extension LibvirtHypervisor {
    public func define(_ spec: DomainSpec) throws(HypervisorError) -> DomainInfo {
        let problems = spec.problems()
        guard problems.isEmpty else {
            throw HypervisorError(code: .invalidSpec, operation: "define", domain: spec.name,
                                  message: problems.joined(separator: "; "))
        }
        return try withConnection("define", domain: spec.name) { connection throws(HypervisorError) in
            // libvirt gives a definition without <uuid> a fresh one, which then clashes with the
            // existing domain of that name: adopt its UUID so that defining again updates it.
            var spec = spec
            if spec.uuid == nil, let existing = virDomainLookupByName(connection, spec.name) {
                spec.uuid = uuid(of: existing)
                virDomainFree(existing)
            }
            NativeError.discard() // a failed lookup (new name) is the usual case
            let xml = DomainXML.render(spec, virtualization: virtualization(for: spec))
            guard let domain = virDomainDefineXML(connection, xml) else {
                throw LibvirtErrorMapping.error(NativeError.take(), operation: "define", domain: spec.name)
            }
            defer { virDomainFree(domain) }
            return try describe(domain, name: spec.name, operation: "define")
        }
    }

    public func start(_ name: String) throws(HypervisorError) {
        try transition("start", name) { virDomainCreate($0) } refine: { state in
            state.isActive ? .alreadyRunning : nil
        }
    }

    public func suspend(_ name: String) throws(HypervisorError) {
        try transition("suspend", name, noOpWhen: .paused) { virDomainSuspend($0) } refine: { state in
            state.isActive ? nil : .notRunning
        }
    }

    public func resume(_ name: String) throws(HypervisorError) {
        try transition("resume", name) { virDomainResume($0) } refine: { state in
            state.isActive ? (state == .paused ? nil : .notPaused) : .notRunning
        }
    }

    public func managedSave(_ name: String) throws(HypervisorError) {
        try transition("managedSave", name) { virDomainManagedSave($0, 0) } refine: { state in
            state.isActive ? nil : .notRunning
        }
    }

    public func restore(_ name: String) throws(HypervisorError) -> DomainState {
        try withDomain("restore", name) { domain throws(HypervisorError) in
            let before = try state(of: domain, name: name, operation: "restore")
            guard before == .saved else {
                throw HypervisorError(code: before.isActive ? .alreadyRunning : .noSaveImage,
                                      operation: "restore", domain: name,
                                      message: "domain is \(before.rawValue), not saved")
            }
            guard virDomainCreate(domain) == 0 else {
                throw LibvirtErrorMapping.error(NativeError.take(), operation: "restore", domain: name)
            }
            return try state(of: domain, name: name, operation: "restore")
        }
    }

    public func setVCPUs(_ name: String, to count: Int) throws(HypervisorError) {
        guard count >= 1, let value = UInt32(exactly: count) else {
            throw HypervisorError(code: .invalidArgument, operation: "setVCPUs", domain: name,
                                  message: "vCPU count \(count) is not a positive 32-bit number")
        }
        let live = UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)
        try transition("setVCPUs", name) { virDomainSetVcpusFlags($0, value, live) } refine: { state in
            state.isActive ? nil : .notRunning
        } refineByDomain: { domain in
            let maximum = virDomainGetVcpusFlags(domain, UInt32(VIR_DOMAIN_VCPU_MAXIMUM.rawValue))
            return maximum > 0 && count > Int(maximum) ? .overMaximum : nil
        }
    }

    public func setMemory(_ name: String, toKiB kib: UInt64) throws(HypervisorError) {
        guard kib > 0, let value = UInt(exactly: kib) else {
            throw HypervisorError(code: .invalidArgument, operation: "setMemory", domain: name,
                                  message: "memory \(kib) KiB is not a positive size")
        }
        let live = UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)
        try transition("setMemory", name) { virDomainSetMemoryFlags($0, value, live) } refine: { state in
            state.isActive ? nil : .notRunning
        } refineByDomain: { domain in
            let maximum = virDomainGetMaxMemory(domain)
            return maximum > 0 && value > maximum ? .overMaximum : nil
        }
    }

    public func destroy(_ name: String) throws(HypervisorError) {
        try transition("destroy", name, noOpWhen: .shutoff, .saved) { virDomainDestroy($0) } refine: { _ in nil }
    }

    public func undefine(_ name: String, removingManagedSave: Bool) throws(HypervisorError) {
        let flags = removingManagedSave ? UInt32(VIR_DOMAIN_UNDEFINE_MANAGED_SAVE.rawValue) : 0
        try transition("undefine", name) { virDomainUndefineFlags($0, flags) } refine: { state in
            state == .saved && !removingManagedSave ? .saveImagePresent : nil
        }
    }

    public func setMetadata(_ metadata: ShadowMetadata?, of name: String) throws(HypervisorError) {
        let xml = metadata.map { MetadataXML.render($0, prefix: nil) }
        try withDomain("setMetadata", name) { domain throws(HypervisorError) in
            let active = virDomainIsActive(domain) == 1
            let flags = UInt32(VIR_DOMAIN_AFFECT_CONFIG.rawValue) | (active ? UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue) : 0)
            let status = virDomainSetMetadata(domain, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), xml, "psm",
                                              ShadowMetadata.namespace, flags)
            guard status == 0 else {
                throw LibvirtErrorMapping.error(NativeError.take(), operation: "setMetadata", domain: name)
            }
        }
    }

    // MARK: - Helpers

    /// Looks `name` up on the live connection and runs `body` with the domain handle.
    func withDomain<T>(_ operation: String, _ name: String,
                       _ body: (OpaquePointer) throws(HypervisorError) -> T) throws(HypervisorError) -> T {
        try withConnection(operation, domain: name) { connection throws(HypervisorError) in
            guard let domain = virDomainLookupByName(connection, name) else {
                throw LibvirtErrorMapping.error(NativeError.take(), operation: operation, domain: name)
            }
            defer { virDomainFree(domain) }
            return try body(domain)
        }
    }

    /// One libvirt call that returns 0 on success. On failure: succeeds when the domain already is
    /// in one of the `noOpWhen` states; otherwise the code is the first of `refineByDomain`,
    /// `refine(state)`, libvirt's mapped code. The native code and message are kept either way.
    private func transition(_ operation: String, _ name: String, noOpWhen done: DomainState...,
                            call: (OpaquePointer) -> Int32,
                            refine: (DomainState) -> HypervisorError.Code?,
                            refineByDomain: (OpaquePointer) -> HypervisorError.Code? = { _ in nil })
        throws(HypervisorError) {
        try withDomain(operation, name) { domain throws(HypervisorError) in
            guard call(domain) != 0 else { return }
            var error = LibvirtErrorMapping.error(NativeError.take(), operation: operation, domain: name)
            guard error.code != .connectionLost, let state = try? state(of: domain, name: name, operation: operation)
            else { throw error }
            if done.contains(state) { return }
            if let code = refineByDomain(domain) ?? refine(state) { error.code = code }
            NativeError.discard()
            throw error
        }
    }

    /// The domain's state, `.saved` for a shut-off domain with a managed save image.
    func state(of domain: OpaquePointer, name: String, operation: String) throws(HypervisorError) -> DomainState {
        var state: Int32 = 0
        var reason: Int32 = 0
        guard virDomainGetState(domain, &state, &reason, 0) == 0 else {
            throw LibvirtErrorMapping.error(NativeError.take(), operation: operation, domain: name)
        }
        let mapped = DomainState(libvirt: state)
        if mapped == .shutoff, virDomainHasManagedSaveImage(domain, 0) == 1 { return .saved }
        NativeError.discard()
        return mapped
    }
}

extension DomainState {
    init(libvirt state: Int32) {
        switch UInt32(bitPattern: state) {
        case VIR_DOMAIN_RUNNING.rawValue: self = .running
        case VIR_DOMAIN_BLOCKED.rawValue: self = .blocked
        case VIR_DOMAIN_PAUSED.rawValue: self = .paused
        case VIR_DOMAIN_SHUTDOWN.rawValue: self = .shuttingDown
        case VIR_DOMAIN_SHUTOFF.rawValue: self = .shutoff
        case VIR_DOMAIN_CRASHED.rawValue: self = .crashed
        case VIR_DOMAIN_PMSUSPENDED.rawValue: self = .guestSuspended
        default: self = .unknown
        }
    }
}
