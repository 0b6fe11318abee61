import Hypervisor
@testable import LibvirtHypervisor
import Testing

/// libvirt's errors arrive as `HypervisorError` with psm's code and libvirt's own code, origin and
/// message. Numbers are libvirt's stable ABI values from virterror.h.
@Suite struct ErrorTests {
    @Test func overMaximumKeepsLibvirtsCodeAndMessage() async throws {
        let hypervisor = try LibvirtHypervisor(uri: "test:///default")
        do {
            try await hypervisor.setVCPUs("test", to: 64) // the stock domain has 2 (maximum 2)
            Issue.record("setVCPUs above the maximum succeeded")
        } catch {
            #expect(error.code == .overMaximum)
            #expect(error.nativeCode == 8) // VIR_ERR_INVALID_ARG
            #expect(error.nativeDomain == 12) // VIR_FROM_TEST
            #expect(error.message.contains("requested cpu amount exceeds maximum"))
            #expect(error.operation == "setVCPUs" && error.domain == "test")
        }
    }

    @Test func unreachableURIIsConnectionFailed() {
        do {
            _ = try LibvirtHypervisor(uri: "qemu+unix:///system?socket=/nonexistent/psm-test.sock")
            Issue.record("connected to a socket that does not exist")
        } catch {
            #expect(error.code == .connectionFailed)
            #expect(error.nativeCode != nil)
            #expect(!error.message.isEmpty)
        }
    }

    @Test(arguments: [
        // (libvirt code, origin, message, operation, expected psm code)
        (42, 12, "Domain not found", "info", HypervisorError.Code.notFound),
        (38, 7, "Cannot write data: Broken pipe", "resume", .connectionLost), // VIR_FROM_RPC
        (6, 0, "invalid connection pointer in virDomainResume", "resume", .connectionLost),
        (1, 12, "internal error: domain 'x' not paused", "resume", .notPaused), // test driver
        (55, 10, "Requested operation is not valid: domain is already running", "resume", .notPaused), // QEMU
        (55, 10, "Requested operation is not valid: domain is already running", "start", .alreadyRunning),
        (55, 20, "Requested operation is not valid: domain is not running", "setVCPUs", .notRunning),
        (8, 10, "invalid argument: requested vcpus is greater than max allowable vcpus for the live domain: 5 > 4",
         "setVCPUs", .overMaximum), // QEMU's wording
        (8, 12, "invalid argument: cannot set memory higher than max memory", "setMemory", .overMaximum),
        (55, 12, "Requested operation is not valid: Refusing to undefine while domain managed save image exists",
         "undefine", .saveImagePresent),
        (9, 12, "operation failed: domain 'k' already exists with uuid d74445a9", "define", .alreadyExists),
        (35, 20, "(domain_definition):1: Couldn't find end of Start Tag domain", "define", .invalidSpec),
        (84, 10, "Operation not supported: start --paused", "start", .unsupported),
        (9, 10, "operation failed: migration job: unexpectedly failed", "managedSave", .operationFailed),
    ])
    func libvirtErrorsMapToPsmCodes(code: Int, origin: Int, message: String, operation: String,
                                    expected: HypervisorError.Code) {
        let native = NativeError(code: Int32(code), domain: Int32(origin), message: message)
        let error = LibvirtErrorMapping.error(native, operation: operation, domain: "x")
        #expect(error.code == expected)
        #expect(error.nativeCode == Int32(code) && error.nativeDomain == Int32(origin) && error.message == message)
    }
}
