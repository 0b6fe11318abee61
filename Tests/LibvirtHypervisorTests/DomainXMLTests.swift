import Foundation
import Hypervisor
@testable import LibvirtHypervisor
import Markup
import Testing

@Suite struct DomainXMLTests {
    /// Domain XML uses psm's one escape (`Markup`'s `HTMLText`, shared with the reports).
    @Test func escapesAllFiveXMLSpecialCharacters() {
        #expect(HTMLText.escape(#"a&b<c>'d'"e" é"#) == "a&amp;b&lt;c&gt;&#39;d&#39;&quot;e&quot; é")
        #expect(HTMLText.escape("plain") == "plain")
        // Control characters but tab and newline (not allowed in HTML text; XML would fold a carriage return) become U+FFFD.
        #expect(HTMLText.escape("a\u{1}b\tc\nd") == "a\u{FFFD}b\tc\nd")
        let spec = DomainSpec(name: "o'neil & <co>", maximum: ResourceSize(vcpus: 1, memoryKiB: 1_024),
                              current: ResourceSize(vcpus: 1, memoryKiB: 1_024))
        #expect(DomainXML.render(spec, virtualization: .qemu).contains("<name>o&#39;neil &amp; &lt;co&gt;</name>"))
    }

    @Test func rendersMaximumAndCurrentSizesBalloonAndMetadata() {
        let spec = DomainSpec(name: "web<1>", uuid: UUID(uuidString: "6695EB01-F6A4-8304-79AA-97F2502E193F"),
                              maximum: ResourceSize(vcpus: 4, memoryKiB: 1_048_576),
                              current: ResourceSize(vcpus: 1, memoryKiB: 262_144))
        let xml = DomainXML.render(spec, virtualization: .qemu)
        #expect(xml.hasPrefix("<domain type='qemu'>"))
        #expect(xml.contains("<name>web&lt;1&gt;</name>"))
        #expect(xml.contains("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"))
        #expect(xml.contains("<vcpu current='1'>4</vcpu>"))
        #expect(xml.contains("<memory unit='KiB'>1048576</memory>"))
        #expect(xml.contains("<currentMemory unit='KiB'>262144</currentMemory>"))
        #expect(xml.contains("<memballoon model='virtio'/>"))
        #expect(!xml.contains("<metadata>"))
    }

    /// Every template part together is accepted by libvirt's own parser (the test driver's) and
    /// the domain boots there.
    @Test func templatePartsAreValidLibvirtXML() async throws {
        let hypervisor = try LibvirtHypervisor(uri: "test:///default")
        let kernel = DomainSpec(name: "kernel-boot", maximum: ResourceSize(vcpus: 4, memoryKiB: 1_048_576),
                                current: ResourceSize(vcpus: 1, memoryKiB: 262_144),
                                boot: .kernel(path: "/var/lib/psm/vmlinuz", initrd: "/var/lib/psm/initrd.img",
                                              commandLine: "console=ttyS0 quiet psm.id='a&b'"),
                                machine: "q35", serialLog: "/tmp/psm serial.log", network: .user)
        let disk = DomainSpec(name: "disk-boot", maximum: ResourceSize(vcpus: 2, memoryKiB: 524_288),
                              current: ResourceSize(vcpus: 2, memoryKiB: 524_288),
                              boot: .disk(path: "/var/lib/psm/web.qcow2", format: "qcow2"), network: .network("default"))
        let bridge = DomainSpec(name: "bridged", maximum: ResourceSize(vcpus: 1, memoryKiB: 131_072),
                                current: ResourceSize(vcpus: 1, memoryKiB: 131_072), network: .bridge("br0"))
        for spec in [kernel, disk, bridge] {
            let info = try await hypervisor.define(spec)
            #expect(info.maximumVCPUs == spec.maximum.vcpus && info.vcpus == spec.current.vcpus)
            try await hypervisor.start(spec.name)
            #expect(try await hypervisor.info(spec.name).state == .running)
            // test:///default is shared by the whole test process: leave it as found.
            try await hypervisor.destroy(spec.name)
            try await hypervisor.undefine(spec.name, removingManagedSave: true)
        }
    }

    @Test func baselinePolicyKeepsVCPUsAndBalloonsMemoryDown() {
        let full = ResourceSize(vcpus: 4, memoryKiB: 1_048_576)
        #expect(BaselinePolicy().baseline(of: full) == ResourceSize(vcpus: 4, memoryKiB: 262_144))
        let lean = BaselinePolicy(vcpuFraction: 0.3, memoryFraction: 0.1)
        // 4 × 0.3 = 1.2 → 2 vCPUs; 1 GiB × 0.1 = 102.4 MiB → 103 MiB, below the 128 MiB floor.
        #expect(lean.baseline(of: full) == ResourceSize(vcpus: 2, memoryKiB: 131_072))
        // Minimums never exceed the full size; odd fractions are clamped.
        let tiny = ResourceSize(vcpus: 1, memoryKiB: 65_536)
        #expect(BaselinePolicy(vcpuFraction: .nan, memoryFraction: -3).baseline(of: tiny) == tiny)
        #expect(BaselinePolicy(vcpuFraction: 7, memoryFraction: 2).baseline(of: full) == full)
    }

    @Test func shadowSpecCarriesItsSizesInItsMetadata() {
        let tag = ShadowMetadata(group: "web", shadowID: "s-9", baseline: ResourceSize(vcpus: 0, memoryKiB: 0),
                                 full: ResourceSize(vcpus: 0, memoryKiB: 0), createdAt: 0)
        let full = ResourceSize(vcpus: 8, memoryKiB: 8_388_608)
        let spec = DomainSpec.shadow(name: "web-s-9", full: full, metadata: tag)
        #expect(spec.maximum == full && spec.current == ResourceSize(vcpus: 8, memoryKiB: 2_097_152))
        #expect(spec.metadata?.full == full && spec.metadata?.baseline == spec.current)
        #expect(spec.problems().isEmpty)
    }

    @Test func specProblemsNameEachDefect() {
        let spec = DomainSpec(name: "a/b", maximum: ResourceSize(vcpus: 1, memoryKiB: 1024),
                              current: ResourceSize(vcpus: 2, memoryKiB: 2048))
        #expect(spec.problems() == ["the name contains '/'", "current vCPUs 2 > maximum 1",
                                    "current memory 2048 KiB > maximum 1024 KiB"])
    }
}
