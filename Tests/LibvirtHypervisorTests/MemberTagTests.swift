import Foundation
import Hypervisor
import LibvirtHypervisor
import Testing

/// The operator's member tag (`members = "tag:…"`), read from a domain's `<metadata>` on libvirt's
/// test driver.
@Suite struct MemberTagTests {
    static func node() throws -> (URL, LibvirtHypervisor) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("member-tag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func domain(_ name: String, metadata: String) -> String {
            "<domain type='test'><name>\(name)</name><memory unit='KiB'>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os>"
                + "<metadata>\(metadata)</metadata></domain>"
        }
        let tagged = "<m:member xmlns:m='\(MemberTag.namespace)' tag='web'/>"
        let other = "<x:member xmlns:x='https://example.org/other' tag='web'/>"
        let xml = "<node>" + domain("app-1", metadata: tagged) + domain("app-2", metadata: "")
            + domain("app-3", metadata: other) + "</node>"
        let path = dir.appendingPathComponent("node.xml").path
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, try LibvirtHypervisor(uri: "test://" + path))
    }

    @Test func aTaggedDomainHasItsTagAndOthersNone() async throws {
        let (dir, h) = try Self.node()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await h.memberTag(of: "app-1") == "web")
        #expect(try await h.memberTag(of: "app-2") == nil)
        // The same element in another namespace is not psm's tag.
        #expect(try await h.memberTag(of: "app-3") == nil)
        // Not a shadow: psm's own element is separate.
        #expect(try await h.info("app-1").metadata == nil)
        await #expect(throws: HypervisorError.self) { try await h.memberTag(of: "no-such-domain") }
        do {
            _ = try await h.memberTag(of: "no-such-domain")
        } catch {
            #expect(error.code == .notFound)
        }
    }
}
