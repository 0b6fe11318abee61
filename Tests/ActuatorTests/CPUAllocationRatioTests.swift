@testable import Actuator
import Foundation
import MetricStore
import PSMConfiguration
import Testing

/// `[actuator] cpu_allocation_ratio`: vCPUs promised per measured CPU (the real-VM suite's 2-CPU
/// machine holds a regular guest and its shadows only with overcommit).
@Suite struct CPUAllocationRatioTests {
    static func load(_ extra: String) throws -> ActuatorConfiguration {
        let dir = NSTemporaryDirectory() + "psm-ratio-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/psm.toml"
        try "[actuator]\nregistry = \"Models\"\n\(extra)\n[[actuator.groups]]\nname = \"web\"\nunit = 1\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return try ActuatorConfiguration.load(path: path)
    }

    @Test func theRatioMultipliesTheMeasuredCPUsBeforeTheCap() throws {
        let config = try Self.load("cpu_allocation_ratio = 4")
        let host = try #require(config.hosts.first)
        #expect(host.capped(vcpus: 2, memoryMiB: 1024).vcpus == 8)
        var capped = host
        capped.capVCPUs = 6
        #expect(capped.capped(vcpus: 2, memoryMiB: 1024).vcpus == 6)
        #expect(capped.capped(vcpus: 2, memoryMiB: 1024).memoryMiB == 1024, "memory is never overcommitted")
        // Without the key: no overcommit.
        #expect(try Self.load("").hosts.first?.capped(vcpus: 2, memoryMiB: 1024).vcpus == 2)
    }

    @Test func aRatioBelowOneIsAConfigurationError() {
        #expect(throws: (any Error).self) { try Self.load("cpu_allocation_ratio = 0.5") }
        #expect(throws: (any Error).self) { try Self.load("cpu_allocation_ratio = \"4\"") }
    }
}
