import CLibvirt
import Dispatch
import Hypervisor

/// Runs an actor's jobs on its own serial dispatch queue: libvirt calls block (a remote
/// `managedsave` takes half a second), and on a 2-core machine blocking one of the cooperative
/// pool's two threads would stall every other task.
final class DispatchQueueExecutor: SerialExecutor {
    let queue: DispatchQueue
    init(label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Owns one libvirt connection and closes it when released (also when the actor goes away).
final class ConnectionHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { virConnectClose(pointer) }
}

/// `Hypervisor` over libvirt's C API: one actor per connection, any URI (`test:///default`,
/// `qemu:///system`, `qemu+ssh://host/system`, …).
///
/// A dead connection is reopened once (before a call, when `virConnectIsAlive` says so, or after
/// a call failed with a connection error) before the call fails with `.connectionLost`.
/// libvirt's test driver: `test:///default` is one node shared by every connection in the process,
/// while `test:///PATH.xml` gives each connection a private copy, so after a reconnect the file's
/// state is back and changes made before are gone (docs/hypervisor.md).
public actor LibvirtHypervisor: Hypervisor {
    /// The URI the connection was opened with.
    public nonisolated let uri: String
    /// How many times the connection was reopened after it was found dead.
    package private(set) var reconnections = 0

    private let executor: DispatchQueueExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private var connection: ConnectionHandle?
    /// `virt-type` used when a spec leaves it open: the connection driver's own.
    private var defaultVirtualization: DomainSpec.Virtualization = .qemu
    /// Test hook: the next call's first attempt fails as if the RPC layer had dropped.
    var failNextCallWithConnectionError = false

    /// Opens `uri`; fails with `.connectionFailed` (libvirt's code and message kept).
    public init(uri: String) throws(HypervisorError) {
        // libvirt reads an empty URI as "the default hypervisor" (qemu:///system as root): never
        // drive a hypervisor nobody named.
        guard !uri.allSatisfy(\.isWhitespace) else {
            throw HypervisorError(code: .invalidArgument, operation: "connect",
                                  message: "empty URI: name the hypervisor (e.g. qemu:///system or test:///default)")
        }
        self.uri = uri
        self.executor = DispatchQueueExecutor(label: "psm.libvirt.\(uri)")
        let opened = try Self.open(uri)
        self.connection = ConnectionHandle(opened.connection)
        self.defaultVirtualization = opened.virtualization
    }


    private static func open(_ uri: String) throws(HypervisorError)
        -> (connection: OpaquePointer, virtualization: DomainSpec.Virtualization) {
        _ = LibvirtRuntime.ready
        guard let connection = virConnectOpen(uri) else {
            let native = NativeError.take()
            throw HypervisorError(code: .connectionFailed, operation: "connect", nativeCode: native?.code,
                                  nativeDomain: native?.domain, message: native?.message ?? "virConnectOpen failed")
        }
        let driver = virConnectGetType(connection).map { String(cString: $0) } ?? ""
        return (connection, driver.uppercased() == "TEST" ? .test : .qemu)
    }

    /// Test hook: closes the connection under the actor, as a daemon restart or network loss would.
    func dropConnectionForTesting() {
        connection = nil
    }

    /// The live connection, reopened once if it is gone.
    private func liveConnection(for operation: String) throws(HypervisorError) -> OpaquePointer {
        if let connection, virConnectIsAlive(connection.pointer) == 1 { return connection.pointer }
        return try reconnect(for: operation)
    }

    private func reconnect(for operation: String) throws(HypervisorError) -> OpaquePointer {
        connection = nil
        do throws(HypervisorError) {
            let opened = try Self.open(uri)
            connection = ConnectionHandle(opened.connection)
            defaultVirtualization = opened.virtualization
            reconnections += 1
            return opened.connection
        } catch {
            throw HypervisorError(code: .connectionLost, operation: operation, nativeCode: error.nativeCode,
                                  nativeDomain: error.nativeDomain, message: "reconnect failed: \(error.message)")
        }
    }

    /// Runs `body` on the live connection; when it fails because the connection died, reconnects
    /// and runs it once more (every operation is safe to repeat: see `Hypervisor`).
    func withConnection<T>(_ operation: String, domain: String?,
                           _ body: (OpaquePointer) throws(HypervisorError) -> T) throws(HypervisorError) -> T {
        let first = try liveConnection(for: operation)
        do throws(HypervisorError) {
            if failNextCallWithConnectionError {
                failNextCallWithConnectionError = false
                throw HypervisorError(code: .connectionLost, operation: operation, domain: domain,
                                      nativeCode: Int32(bitPattern: VIR_ERR_SYSTEM_ERROR.rawValue),
                                      nativeDomain: Int32(bitPattern: VIR_FROM_RPC.rawValue),
                                      message: "simulated: connection reset by peer")
            }
            return try body(first)
        } catch where error.code == .connectionLost || virConnectIsAlive(first) != 1 {
            let second = try reconnect(for: operation)
            return try body(second)
        }
    }

    /// The virtualization type for a spec on this connection.
    func virtualization(for spec: DomainSpec) -> DomainSpec.Virtualization {
        spec.virtualization ?? defaultVirtualization
    }
}
