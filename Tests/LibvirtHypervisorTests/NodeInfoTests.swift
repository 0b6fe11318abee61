import Foundation
import Hypervisor
@testable import LibvirtHypervisor
import Testing

/// The host's own size (`nodeInfo`): what placement's capacity is measured from.
@Suite struct NodeInfoTests {
    /// A test-driver node file with its own CPUs and memory (`test:///PATH.xml`).
    static func node(cpus: Int, memoryKiB: UInt64) throws -> String {
        let path = NSTemporaryDirectory() + "node-\(UUID().uuidString).xml"
        try """
        <node>
          <cpu><mhz>2000</mhz><model>x86_64</model><active>\(cpus)</active>
               <nodes>1</nodes><sockets>1</sockets><cores>\(cpus)</cores><threads>1</threads></cpu>
          <memory>\(memoryKiB)</memory>
        </node>
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func customNodeReportsItsCPUsAndMemory() async throws {
        let path = try Self.node(cpus: 24, memoryKiB: 67_108_864)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let hypervisor = try LibvirtHypervisor(uri: "test://" + path)
        let info = try await hypervisor.nodeInfo()
        #expect(info.cpus == 24)
        #expect(info.memoryKiB == 67_108_864)
        // The test driver reports no free memory for a custom node (neither call is supported):
        // unknown, not zero.
        #expect(info.freeMemoryKiB == nil)
    }

    @Test func defaultNodeIsLibvirtsBuiltInHost() async throws {
        let info = try await LibvirtHypervisor(uri: "test:///default").nodeInfo()
        // libvirt's built-in test node (src/test/test_driver.c, `defaultNodeInfo`): 16 CPUs, 3 GiB.
        #expect(info.cpus == 16)
        #expect(info.memoryKiB == 3_145_728)
        if let free = info.freeMemoryKiB { #expect(free <= info.memoryKiB) }
    }

    @Test func droppedHostFailsWithAConnectionError() async throws {
        let path = try Self.node(cpus: 4, memoryKiB: 4_194_304)
        let hypervisor = try LibvirtHypervisor(uri: "test://" + path)
        #expect(try await hypervisor.nodeInfo().cpus == 4)
        // The node file is gone and the connection drops: the reconnect fails, as a host that
        // stopped answering does.
        try FileManager.default.removeItem(atPath: path)
        await hypervisor.dropConnectionForTesting()
        await #expect {
            try await hypervisor.nodeInfo()
        } throws: { error in
            (error as? HypervisorError)?.code == .connectionLost
        }
    }
}
