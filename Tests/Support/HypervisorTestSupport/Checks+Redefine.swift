import Foundation
import Hypervisor
import Testing

/// Redefinition: the reconciler re-applies a spec it is unsure was applied.
extension Checks {
    static func redefineUpdatesTheDefinition(_ s: Scope) async throws {
        let first = try await s.define("redefine", metadata: s.metadata("r-1"))
        var spec = s.context.makeSpec(s.name("redefine"), Scope.full,
                                      ResourceSize(vcpus: 2, memoryKiB: 524_288), s.metadata("r-2"))
        let redefined = try await s.hypervisor.define(spec)
        #expect(redefined.vcpus == 2 && redefined.memoryKiB == 524_288)
        #expect(redefined.metadata == s.metadata("r-2"))
        #expect(first.uuid != nil && redefined.uuid == first.uuid, "the same domain, updated")
        #expect(try await s.hypervisor.list().filter { $0.name == s.name("redefine") }.count == 1)
        spec.uuid = UUID() // another domain claiming the same name
        await expectCode(.alreadyExists, "define of a taken name with another UUID") { () async throws(HypervisorError) in
            _ = try await s.hypervisor.define(spec)
        }
    }
}
