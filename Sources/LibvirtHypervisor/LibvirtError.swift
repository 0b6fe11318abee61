import CLibvirt
import Hypervisor

/// libvirt's default error handler prints every error to stderr, including the ones psm expects
/// and handles (a missing metadata element, a refused resume). psm reports errors as values.
/// A plain function: libvirt may call it on any thread.
private func discardLibvirtError(_ userData: UnsafeMutableRawPointer?, _ error: virErrorPtr?) {}

/// Process-wide libvirt setup, done once before the first connection.
enum LibvirtRuntime {
    static let ready: Bool = {
        let status = virInitialize()
        virSetErrorFunc(nil, discardLibvirtError)
        return status == 0
    }()
}

/// libvirt's last error on this thread (`virGetLastError` is thread-local, so this must be read
/// in the same synchronous stretch as the failing call), reset after reading.
struct NativeError: Sendable, Hashable {
    var code: Int32
    var domain: Int32
    var message: String

    static func take() -> NativeError? {
        guard let error = virGetLastError() else { return nil }
        let native = NativeError(code: error.pointee.code, domain: error.pointee.domain,
                                 message: error.pointee.message.map { String(cString: $0) } ?? "")
        virResetLastError()
        return native
    }

    func isNumber(_ number: virErrorNumber) -> Bool { code == Int32(bitPattern: number.rawValue) }
    func isFrom(_ origin: virErrorDomain) -> Bool { domain == Int32(bitPattern: origin.rawValue) }

    /// Errors that mean the connection itself is gone (the RPC layer, or no connection at all).
    var meansConnectionLost: Bool {
        isFrom(VIR_FROM_RPC) || isNumber(VIR_ERR_NO_CONNECT) || isNumber(VIR_ERR_INVALID_CONN)
    }
}

/// Maps libvirt's errors to psm's codes, once, at the boundary.
///
/// The code comes from libvirt's error number and, where drivers word the same refusal
/// differently (the test driver reports a refused resume as an internal error "not paused", QEMU
/// as an invalid operation "already running"), from the message. Operations then refine the code
/// from the domain's actual state when that is cheaper to trust (see `LibvirtHypervisor+Domain`).
enum LibvirtErrorMapping {
    static func code(for native: NativeError, operation: String) -> HypervisorError.Code {
        let message = native.message.lowercased()
        if native.meansConnectionLost { return .connectionLost }
        if native.isNumber(VIR_ERR_NO_DOMAIN) { return .notFound }
        if message.contains("managed save image exists") { return .saveImagePresent }
        if message.contains("exceeds maximum") || message.contains("higher than max")
            || message.contains("greater than max") { return .overMaximum }
        if native.isNumber(VIR_ERR_DOM_EXIST) || message.contains("already exists") { return .alreadyExists }
        if message.contains("not paused") { return .notPaused }
        if message.contains("already running") { return operation == "resume" ? .notPaused : .alreadyRunning }
        if message.contains("not running") { return .notRunning }
        if native.isNumber(VIR_ERR_XML_ERROR) || native.isNumber(VIR_ERR_XML_DETAIL)
            || native.isNumber(VIR_ERR_XML_INVALID_SCHEMA) || native.isNumber(VIR_ERR_CONFIG_UNSUPPORTED) {
            return .invalidSpec
        }
        if native.isNumber(VIR_ERR_INVALID_ARG) { return .invalidArgument }
        if native.isNumber(VIR_ERR_NO_SUPPORT) || native.isNumber(VIR_ERR_OPERATION_UNSUPPORTED) { return .unsupported }
        return .operationFailed
    }

    static func error(_ native: NativeError?, operation: String, domain: String?) -> HypervisorError {
        guard let native else {
            return HypervisorError(code: .operationFailed, operation: operation, domain: domain,
                                   message: "libvirt reported a failure without an error")
        }
        return HypervisorError(code: code(for: native, operation: operation), operation: operation, domain: domain,
                               nativeCode: native.code, nativeDomain: native.domain, message: native.message)
    }
}

extension NativeError {
    /// Clears an error psm has handled (e.g. a probe that was allowed to fail).
    static func discard() { virResetLastError() }
}
