import Foundation
import Hypervisor
import Markup

/// libvirt domain XML made from a `DomainSpec`.
enum DomainXML {
    /// The `<domain>` document; `virtualization` is the spec's own or the connection's default.
    static func render(_ spec: DomainSpec, virtualization: DomainSpec.Virtualization) -> String {
        var xml = "<domain type='\(virtualization.rawValue)'>\n"
        xml += "  <name>\(HTMLText.escape(spec.name))</name>\n"
        if let uuid = spec.uuid { xml += "  <uuid>\(uuid.uuidString.lowercased())</uuid>\n" }
        if let metadata = spec.metadata {
            xml += "  <metadata>\n    \(MetadataXML.render(metadata, prefix: "psm"))\n  </metadata>\n"
        }
        xml += "  <memory unit='KiB'>\(spec.maximum.memoryKiB)</memory>\n"
        xml += "  <currentMemory unit='KiB'>\(spec.current.memoryKiB)</currentMemory>\n"
        xml += "  <vcpu current='\(spec.current.vcpus)'>\(spec.maximum.vcpus)</vcpu>\n"
        xml += "  <os>\n    <type"
        if let machine = spec.machine { xml += " machine='\(HTMLText.escape(machine))'" }
        xml += ">hvm</type>\n"
        if case .kernel(let path, let initrd, let commandLine) = spec.boot {
            xml += "    <kernel>\(HTMLText.escape(path))</kernel>\n"
            if let initrd { xml += "    <initrd>\(HTMLText.escape(initrd))</initrd>\n" }
            if let commandLine { xml += "    <cmdline>\(HTMLText.escape(commandLine))</cmdline>\n" }
        }
        xml += "  </os>\n"
        xml += "  <on_poweroff>destroy</on_poweroff>\n  <on_crash>destroy</on_crash>\n"
        xml += "  <devices>\n"
        if case .disk(let path, let format) = spec.boot {
            xml += "    <disk type='file' device='disk'><driver name='qemu' type='\(HTMLText.escape(format))'/>"
            xml += "<source file='\(HTMLText.escape(path))'/><target dev='vda' bus='virtio'/></disk>\n"
        }
        switch spec.network {
        case nil: break
        case .user: xml += "    <interface type='user'><model type='virtio'/></interface>\n"
        case .network(let name):
            xml += "    <interface type='network'><source network='\(HTMLText.escape(name))'/><model type='virtio'/></interface>\n"
        case .bridge(let name):
            xml += "    <interface type='bridge'><source bridge='\(HTMLText.escape(name))'/><model type='virtio'/></interface>\n"
        }
        if let log = spec.serialLog {
            xml += "    <serial type='file'><source path='\(HTMLText.escape(log))'/><target port='0'/></serial>\n"
            xml += "    <console type='file'><source path='\(HTMLText.escape(log))'/><target type='serial' port='0'/></console>\n"
        }
        // The balloon is what live memory changes act on.
        xml += "    <memballoon model='virtio'/>\n"
        xml += "  </devices>\n</domain>\n"
        return xml
    }
}
