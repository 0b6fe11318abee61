import Foundation
import Hypervisor

/// libvirt domain XML made from a `DomainSpec`.
enum DomainXML {
    /// Escapes text for both element content and single- or double-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&apos;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The `<domain>` document; `virtualization` is the spec's own or the connection's default.
    static func render(_ spec: DomainSpec, virtualization: DomainSpec.Virtualization) -> String {
        var xml = "<domain type='\(virtualization.rawValue)'>\n"
        xml += "  <name>\(escape(spec.name))</name>\n"
        if let uuid = spec.uuid { xml += "  <uuid>\(uuid.uuidString.lowercased())</uuid>\n" }
        if let metadata = spec.metadata {
            xml += "  <metadata>\n    \(MetadataXML.render(metadata, prefix: "psm"))\n  </metadata>\n"
        }
        xml += "  <memory unit='KiB'>\(spec.maximum.memoryKiB)</memory>\n"
        xml += "  <currentMemory unit='KiB'>\(spec.current.memoryKiB)</currentMemory>\n"
        xml += "  <vcpu current='\(spec.current.vcpus)'>\(spec.maximum.vcpus)</vcpu>\n"
        xml += "  <os>\n    <type"
        if let machine = spec.machine { xml += " machine='\(escape(machine))'" }
        xml += ">hvm</type>\n"
        if case .kernel(let path, let initrd, let commandLine) = spec.boot {
            xml += "    <kernel>\(escape(path))</kernel>\n"
            if let initrd { xml += "    <initrd>\(escape(initrd))</initrd>\n" }
            if let commandLine { xml += "    <cmdline>\(escape(commandLine))</cmdline>\n" }
        }
        xml += "  </os>\n"
        xml += "  <on_poweroff>destroy</on_poweroff>\n  <on_crash>destroy</on_crash>\n"
        xml += "  <devices>\n"
        if case .disk(let path, let format) = spec.boot {
            xml += "    <disk type='file' device='disk'><driver name='qemu' type='\(escape(format))'/>"
            xml += "<source file='\(escape(path))'/><target dev='vda' bus='virtio'/></disk>\n"
        }
        switch spec.network {
        case nil: break
        case .user: xml += "    <interface type='user'><model type='virtio'/></interface>\n"
        case .network(let name):
            xml += "    <interface type='network'><source network='\(escape(name))'/><model type='virtio'/></interface>\n"
        case .bridge(let name):
            xml += "    <interface type='bridge'><source bridge='\(escape(name))'/><model type='virtio'/></interface>\n"
        }
        if let log = spec.serialLog {
            xml += "    <serial type='file'><source path='\(escape(log))'/><target port='0'/></serial>\n"
            xml += "    <console type='file'><source path='\(escape(log))'/><target type='serial' port='0'/></console>\n"
        }
        // The balloon is what live memory changes act on.
        xml += "    <memballoon model='virtio'/>\n"
        xml += "  </devices>\n</domain>\n"
        return xml
    }
}
