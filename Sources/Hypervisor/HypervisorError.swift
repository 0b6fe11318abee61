/// A hypervisor operation that failed: a psm-level code to act on, plus the native error it came
/// from (for libvirt, `virGetLastError()`'s code, error domain and message) for the log.
public struct HypervisorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as psm acts on it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case notFound, alreadyExists, alreadyRunning, notRunning, notPaused, overMaximum
            case saveImagePresent, noSaveImage, invalidSpec, invalidArgument, unsupported
            case connectionFailed, connectionLost, operationFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No domain has that name.
        package static let notFound = Code(.notFound)
        /// A different domain (another UUID) already has that name.
        package static let alreadyExists = Code(.alreadyExists)
        /// `start` of a domain that is already active.
        package static let alreadyRunning = Code(.alreadyRunning)
        /// The operation needs an active (running or paused) domain.
        package static let notRunning = Code(.notRunning)
        /// `resume` of a domain that is not paused.
        package static let notPaused = Code(.notPaused)
        /// A live vCPU or memory change above the maximum fixed at define time.
        package static let overMaximum = Code(.overMaximum)
        /// `undefine` without removing the managed save image the domain still has.
        package static let saveImagePresent = Code(.saveImagePresent)
        /// `restore` of a domain that has no managed save image.
        package static let noSaveImage = Code(.noSaveImage)
        /// The `DomainSpec` (or the XML made from it) was rejected.
        package static let invalidSpec = Code(.invalidSpec)
        /// An argument out of range (e.g. zero vCPUs).
        package static let invalidArgument = Code(.invalidArgument)
        /// The driver does not support the operation.
        package static let unsupported = Code(.unsupported)
        /// The hypervisor could not be reached at all.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection died and reopening it once did not help.
        package static let connectionLost = Code(.connectionLost)
        /// Anything else the hypervisor refused; see the native code and message.
        package static let operationFailed = Code(.operationFailed)

        public var description: String { base.rawValue }
    }

    /// What psm should act on.
    public var code: Code
    /// The operation that failed, e.g. `setVCPUs`.
    public var operation: String
    /// The domain the operation addressed, when there was one.
    public var domain: String?
    /// The native error code (libvirt's `virErrorNumber`), when the error came from the hypervisor.
    package var nativeCode: Int32?
    /// The native error's origin (libvirt's `virErrorDomain`, e.g. the test or QEMU driver).
    package var nativeDomain: Int32?
    /// The hypervisor's own message (or psm's, when psm refused before calling it).
    public var message: String

    public init(code: Code, operation: String, domain: String? = nil, nativeCode: Int32? = nil,
                nativeDomain: Int32? = nil, message: String) {
        self.code = code
        self.operation = operation
        self.domain = domain
        self.nativeCode = nativeCode
        self.nativeDomain = nativeDomain
        self.message = message
    }

    public var description: String {
        var text = "\(operation)"
        if let domain { text += " '\(domain)'" }
        text += ": \(code): \(message)"
        if let nativeCode { text += " (libvirt error \(nativeCode)" + (nativeDomain.map { ", from \($0)" } ?? "") + ")" }
        return text
    }
}
