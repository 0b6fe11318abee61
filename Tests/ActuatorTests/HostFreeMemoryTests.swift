@testable import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import PSMConfiguration
import Testing

/// `[[actuator.hosts]] free_memory`: placement trusts the host's reported free memory unless told
/// not to — libvirt's test driver reports 3 MiB free on its 3 GiB default node, which would
/// refuse every shadow on the fleet check's daemon-served hosts.
@Suite struct HostFreeMemoryTests {
    static func load(_ hostKeys: String) throws -> ActuatorConfiguration {
        let dir = NSTemporaryDirectory() + "psm-free-memory-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/psm.toml"
        try """
        [actuator]
        registry = "Models"

        [[actuator.hosts]]
        name = "h1"
        uri = "test:///default"
        \(hostKeys)

        [[actuator.groups]]
        name = "web"
        unit = 1
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ActuatorConfiguration.load(path: path)
    }

    @Test func theReportedFreeMemoryCountsUnlessTheHostSaysOtherwise() async throws {
        let hypervisor = try LibvirtHypervisor(uri: "test:///default")
        let trusted = try #require(try Self.load("").hosts.first)
        let measured = try await HostMeasurement.measure(trusted, hypervisor: hypervisor, reservedDomains: [])
        #expect(measured.node.freeMemoryKiB == 3072, "the test driver reports 3 MiB (3,072 KiB)")
        #expect(measured.record.freeMemoryMiB == 3)

        let ignored = try #require(try Self.load("free_memory = false").hosts.first)
        #expect(ignored.usesFreeMemory == false)
        let unmeasured = try await HostMeasurement.measure(ignored, hypervisor: hypervisor, reservedDomains: [])
        #expect(unmeasured.record.freeMemoryMiB == nil, "placement then checks the capacity only")
        #expect(unmeasured.node.memoryKiB == measured.node.memoryKiB)
    }

    @Test func aFreeMemoryThatIsNotABooleanIsAConfigurationError() {
        #expect(throws: (any Error).self) { try Self.load("free_memory = \"no\"") }
    }
}
