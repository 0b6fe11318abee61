@testable import Actuator
import Scaling
import Foundation
import Hypervisor
@testable import LibvirtHypervisor
import MetricStore

/// Several libvirt test-driver hosts, each a node file of its own (`test:///PATH.xml`) with its
/// own CPUs and memory, behind one actuator configuration (`RuntimeFixture`'s store and model).
struct FleetFixture {
    var base: RuntimeFixture
    /// Host name → its connection (the runtime's, so the test sees what the actuator sees).
    let hypervisors: [String: LibvirtHypervisor]
    let nodes: [String: String]

    /// `hosts`: name, CPUs, memory (MiB); every host uncapped. The group's pool is held at `pool`.
    init(hosts: [(String, Int, Int64)], pool: Int, grace: Int64 = 90) throws {
        base = try RuntimeFixture(maximum: pool)
        var connections: [String: LibvirtHypervisor] = [:]
        var nodes: [String: String] = [:]
        for (name, cpus, memory) in hosts {
            let node = base.directory.appendingPathComponent("\(name).xml").path
            try testNode(cpus: cpus, memoryMiB: memory).write(toFile: node, atomically: true, encoding: .utf8)
            connections[name] = try LibvirtHypervisor(uri: "test://" + node)
            nodes[name] = node
        }
        hypervisors = connections
        self.nodes = nodes
        base.configuration.hosts = hosts.map { HostConfig(name: $0.0, uri: "test://" + nodes[$0.0]!, capVCPUs: nil, capMemoryMiB: nil, units: 1000) }
        let bounds = try GroupBounds(minimum: pool, maximum: pool)
        base.configuration.groups[0].bounds = bounds
        base.configuration.sizing.bounds["web"] = bounds
        base.configuration.hostGrace = grace
        base.configuration.scaleInUtilisation = 0
    }

    func runtime(clock: ManualWallClock, metrics: ActuatorMetrics = ActuatorMetrics()) async throws -> ActuatorRuntime {
        let connections = hypervisors
        return try await ActuatorRuntime(configuration: base.configuration, clock: clock, metrics: metrics, connect: { host in
            guard let h = connections[host.name] else { throw HypervisorError(code: .connectionFailed, operation: "connect", message: host.name) }
            return h
        })
    }

    /// The host stops answering: its node file is moved away and its connection drops, so every
    /// call's reconnect fails with a connection error, as with a host that went down.
    func takeDown(_ host: String) async throws {
        try FileManager.default.moveItem(atPath: nodes[host]!, toPath: nodes[host]! + ".down")
        await hypervisors[host]!.dropConnectionForTesting()
    }

    /// The host answers again, running `domains` (domain XML): the test driver reloads its node file.
    func bringBack(_ host: String, cpus: Int, memoryMiB: Int64, domains: [String]) throws {
        try testNode(cpus: cpus, memoryMiB: memoryMiB, domains: domains).write(toFile: nodes[host]!, atomically: true, encoding: .utf8)
    }

    func cleanUp() { base.cleanUp() }
}

/// A test-driver domain of shadow `record` with psm's metadata, paused (parked) or running (activated).
func shadowDomainXML(_ record: ShadowRecord, running: Bool) -> String {
    let role = running ? "role='active'" : "role='shadow' host='\(record.host)'"
    return """
      <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
        <name>\(record.domainName)</name>
        <metadata>
          <psm:shadow xmlns:psm='https://psm.example/shadow/1' group='\(record.group)' id='\(record.id)' \(role)
                      baseline-vcpus='\(record.baselineVCPUs)' baseline-memory-kib='\(record.baselineMemoryMiB * 1024)'
                      full-vcpus='\(record.fullVCPUs)' full-memory-kib='\(record.fullMemoryMiB * 1024)'
                      created-at='2026-09-21T10:00:00Z'/>
        </metadata>
        <memory unit='KiB'>\(record.fullMemoryMiB * 1024)</memory>
        <currentMemory unit='KiB'>\((running ? record.fullMemoryMiB : record.baselineMemoryMiB) * 1024)</currentMemory>
        <vcpu current='\(running ? record.fullVCPUs : record.baselineVCPUs)'>\(record.fullVCPUs)</vcpu>
        <os><type>hvm</type></os>
        <test:runstate>\(running ? 1 : 3)</test:runstate>
      </domain>
    """
}
