import CLibvirt
import Testing

/// The CLibvirt system-library target links and talks to libvirt's in-process test driver.
/// (The Hypervisor target wraps this API properly; this only pins the build configuration.)
@Suite struct LibvirtLinkTests {
    @Test func testDriverConnectionListsItsStockDomain() throws {
        var version: UInt = 0
        #expect(virGetVersion(&version, nil, nil) == 0)
        #expect(version >= 9_000_000) // Debian 12 ships libvirt 9.0
        let conn = try #require(virConnectOpen("test:///default"))
        defer { virConnectClose(conn) }
        let domain = try #require(virDomainLookupByName(conn, "test"))
        defer { virDomainFree(domain) }
        var info = virDomainInfo()
        #expect(virDomainGetInfo(domain, &info) == 0)
        #expect(info.state == UInt8(VIR_DOMAIN_RUNNING.rawValue))
        #expect(virDomainLookupByName(conn, "no-such-domain") == nil)
    }
}
