import Foundation
import Hypervisor
@testable import LibvirtHypervisor
import Testing

@Suite struct MetadataXMLTests {
    let tag = ShadowMetadata(group: "web", shadowID: "s-1", role: .shadow, reservationHost: "host-a",
                             baseline: ResourceSize(vcpus: 1, memoryKiB: 262_144),
                             full: ResourceSize(vcpus: 4, memoryKiB: 1_048_576), createdAt: 1_789_984_800)

    @Test func parsesLibvirtsReserialisedForm() {
        // What virDomainGetMetadata returned for an element defined with a psm: prefix (probe on
        // libvirt 9.0): prefix dropped, double quotes, &quot; escapes.
        let text = #"<shadow group="web" id="s-1" role="shadow" host="host-a" baseline-vcpus="1" "#
            + #"baseline-memory-kib="262144" full-vcpus="4" full-memory-kib="1048576" created-at="2026-09-21T10:00:00Z"/>"#
        #expect(MetadataXML.parse(text) == tag)
    }

    @Test func roundTripsEscapesAndNumericReferences() {
        var odd = tag
        odd.group = "a&b \"<>\" 'x' é"
        #expect(MetadataXML.parse(MetadataXML.render(odd, prefix: nil)) == odd)
        #expect(MetadataXML.parse(MetadataXML.render(odd, prefix: "psm")) == odd)
        #expect(MetadataXML.unescape("&#65;&#x42;&#233;") == "ABé")
        #expect(MetadataXML.unescape("&bogus;") == nil)
    }

    @Test func elementsMissingAFieldAreNotPsms() {
        #expect(MetadataXML.parse(#"<shadow group="web" id="s-1"/>"#) == nil)
        #expect(MetadataXML.parse("not xml") == nil)
        #expect(MetadataXML.parse(#"<shadow group="web"#) == nil)
        let badDate = MetadataXML.render(tag, prefix: nil).replacingOccurrences(of: "2026-09-21T10:00:00Z", with: "soon")
        #expect(MetadataXML.parse(badDate) == nil)
    }

    @Test func unknownRolesSurvive() {
        var future = tag
        future.role = .init(rawValue: "draining")
        future.reservationHost = nil
        #expect(MetadataXML.parse(MetadataXML.render(future, prefix: nil)) == future)
    }
}

@Suite struct StatsParserTests {
    /// Field names and types as libvirt's QEMU driver reports them (libvirt-domain.c docs of
    /// virConnectGetAllDomainStats); values picked so the sums are easy to check by hand.
    @Test func sumsPerDeviceCountersAndReadsScalars() {
        let fields: [(String, TypedValue)] = [
            ("state.state", .int(3)), ("state.reason", .int(1)),
            ("cpu.time", .uint(123_456_789)), ("cpu.user", .uint(1)),
            ("balloon.current", .uint(262_144)), ("balloon.maximum", .uint(1_048_576)),
            ("vcpu.current", .uint(2)), ("vcpu.maximum", .uint(4)),
            ("net.count", .uint(2)), ("net.0.name", .string("vnet0")),
            ("net.0.rx.bytes", .uint(1000)), ("net.0.tx.bytes", .uint(10)),
            ("net.1.rx.bytes", .uint(500)), ("net.1.tx.bytes", .uint(5)), ("net.0.rx.pkts", .uint(99)),
            ("block.count", .uint(1)), ("block.0.name", .string("vda")),
            ("block.0.rd.bytes", .uint(4096)), ("block.0.wr.bytes", .uint(8192)), ("block.0.rd.reqs", .uint(7)),
        ]
        let stats = StatsParser.parse(name: "web", fields: fields)
        #expect(stats == DomainStats(name: "web", state: .paused, cpuTimeNanoseconds: 123_456_789,
                                     balloonCurrentKiB: 262_144, balloonMaximumKiB: 1_048_576, vcpus: 2,
                                     blockReadBytes: 4096, blockWriteBytes: 8192,
                                     networkReceivedBytes: 1500, networkTransmittedBytes: 15))
    }

    @Test func aDomainWithoutDisksOrNICsMovesZeroBytes() {
        // What QEMU reports for the tiny real-VM guest: counts of 0, no device fields.
        let stats = StatsParser.parse(name: "tiny", fields: [("state.state", .int(1)), ("cpu.time", .uint(5)),
                                                             ("block.count", .uint(0)), ("net.count", .uint(0))])
        #expect(stats == DomainStats(name: "tiny", state: .running, cpuTimeNanoseconds: 5, blockReadBytes: 0,
                                     blockWriteBytes: 0, networkReceivedBytes: 0, networkTransmittedBytes: 0))
    }

    @Test func unreportedGroupsStayNil() {
        // All the test driver reports.
        let stats = StatsParser.parse(name: "test", fields: [("state.state", .int(1)), ("state.reason", .int(1))])
        #expect(stats == DomainStats(name: "test", state: .running))
    }
}
