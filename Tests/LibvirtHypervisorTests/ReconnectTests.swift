import Foundation
import Hypervisor
@testable import LibvirtHypervisor
import Testing

/// A dead connection is reopened once, before or during the next call.
///
/// These use the fixture node (`test:///PATH.xml`), whose state is private to each connection, so
/// a reconnect visibly starts again from the file. (`test:///default` is one node shared by every
/// connection in the process, and it outlives them: measured on libvirt 9.0.)
@Suite struct ReconnectTests {
    func open() throws -> LibvirtHypervisor {
        let url = try #require(Bundle.module.url(forResource: "node", withExtension: "xml", subdirectory: "Fixtures"))
        return try LibvirtHypervisor(uri: "test://" + url.path)
    }

    @Test func callAfterTheConnectionDroppedReconnects() async throws {
        let hypervisor = try open()
        _ = try await hypervisor.define(DomainSpec(name: "before-drop", maximum: ResourceSize(vcpus: 2, memoryKiB: 524_288),
                                                   current: ResourceSize(vcpus: 1, memoryKiB: 262_144)))
        try await hypervisor.resume("web-shadow-1")
        await hypervisor.dropConnectionForTesting()
        let listed = try await hypervisor.list()
        #expect(await hypervisor.reconnections == 1)
        // The new connection starts from the file again: the defined domain is gone, the resumed
        // shadow is paused again.
        #expect(listed.map(\.name) == ["unmanaged", "web-shadow-1", "web-shadow-2"])
        #expect(listed.first { $0.name == "web-shadow-1" }?.state == .paused)
        _ = try await hypervisor.list()
        #expect(await hypervisor.reconnections == 1, "a live connection is not reopened")
    }

    @Test func callFailingWithAConnectionErrorIsRetriedOnANewConnection() async throws {
        let hypervisor = try open()
        await hypervisor.setFailNextCall()
        try await hypervisor.resume("web-shadow-1")
        #expect(await hypervisor.reconnections == 1)
        #expect(try await hypervisor.info("web-shadow-1").state == .running)
        // Errors that are not about the connection are not retried.
        await #expect(throws: HypervisorError.self) { try await hypervisor.resume("no-such-domain") }
        #expect(await hypervisor.reconnections == 1)
    }

    @Test func reconnectThatFailsIsConnectionLost() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("psm-reconnect-\(UUID()).xml").path
        let fixture = try #require(Bundle.module.url(forResource: "node", withExtension: "xml", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)
        let hypervisor = try LibvirtHypervisor(uri: "test://" + path)
        try FileManager.default.removeItem(atPath: path) // the node can no longer be reopened
        await hypervisor.dropConnectionForTesting()
        do {
            _ = try await hypervisor.list()
            Issue.record("list succeeded without a connection")
        } catch {
            #expect(error.code == .connectionLost)
            #expect(error.nativeCode != nil)
        }
        #expect(await hypervisor.reconnections == 0)
    }
}

extension LibvirtHypervisor {
    func setFailNextCall() { failNextCallWithConnectionError = true }
}
