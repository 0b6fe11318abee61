import Foundation
import RealVMSupport
import Testing

/// What `psm demo --real` and `psm bench activation` say when real guests cannot run: which
/// script to run. No VM and no daemon needed.
@Suite struct RealVMSetupTests {
    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "psm-realvm-setup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func withoutTheGuestImagesTheErrorNamesTheGuestScript() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try await RealVMSetup.connect(packageRoot: dir, images: dir + "/missing")
            Issue.record("connected without guest images")
        } catch {
            #expect(error.description.contains("scripts/realvm.sh guest"), "\(error)")
            #expect(error.description.contains(dir + "/missing"), "\(error)")
        }
    }

    @Test func withoutADaemonTheErrorNamesTheSetupScript() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Images present (contents do not matter here), but a URI nothing answers on.
        for file in ["vmlinuz", "initrd.img"] { _ = FileManager.default.createFile(atPath: "\(dir)/\(file)", contents: Data([0])) }
        let uri = "test://\(dir)/no-such-node.xml"
        do {
            _ = try await RealVMSetup.connect(packageRoot: dir, images: dir, uri: uri)
            Issue.record("connected to \(uri)")
        } catch {
            #expect(error.description.contains("does not answer on \(uri)"), "\(error)")
            #expect(error.description.contains("scripts/realvm.sh up"), "\(error)")
        }
    }
}
