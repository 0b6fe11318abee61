import Hypervisor
import Markup
import TimeSeries

/// psm's metadata element: one element in `ShadowMetadata.namespace` whose attributes carry the
/// fields. libvirt returns it re-serialised without its prefix (`<shadow group="…" …/>`), so the
/// parser accepts any element name and prefix, either quote style and XML's escapes.
enum MetadataXML {
    /// The element; with a prefix it declares the namespace itself (for a whole domain
    /// document), without one it is the form `virDomainSetMetadata` takes.
    static func render(_ m: ShadowMetadata, prefix: String?) -> String {
        var xml = prefix.map { "<\($0):shadow xmlns:\($0)='\(ShadowMetadata.namespace)'" } ?? "<shadow"
        func attribute(_ name: String, _ value: String) { xml += " \(name)='\(HTMLText.escape(value))'" }
        attribute("group", m.group)
        attribute("id", m.shadowID)
        attribute("role", m.role.rawValue)
        if let host = m.reservationHost { attribute("host", host) }
        attribute("baseline-vcpus", String(m.baseline.vcpus))
        attribute("baseline-memory-kib", String(m.baseline.memoryKiB))
        attribute("full-vcpus", String(m.full.vcpus))
        attribute("full-memory-kib", String(m.full.memoryKiB))
        attribute("created-at", Timestamp.format(m.createdAt))
        return xml + "/>"
    }

    /// The metadata in `xml`, or nil when the element lacks a field or a number does not parse
    /// (a domain tagged by something else is then listed as not psm's).
    static func parse(_ xml: String) -> ShadowMetadata? {
        guard let attributes = firstElementAttributes(xml) else { return nil }
        guard let group = attributes["group"], let id = attributes["id"],
              let bv = attributes["baseline-vcpus"].flatMap({ Int($0) }),
              let bm = attributes["baseline-memory-kib"].flatMap({ UInt64($0) }),
              let fv = attributes["full-vcpus"].flatMap({ Int($0) }),
              let fm = attributes["full-memory-kib"].flatMap({ UInt64($0) }),
              let created = attributes["created-at"].flatMap({ Timestamp.parse($0) })
        else { return nil }
        return ShadowMetadata(group: group, shadowID: id, role: .init(rawValue: attributes["role"] ?? "shadow"),
                              reservationHost: attributes["host"],
                              baseline: ResourceSize(vcpus: bv, memoryKiB: bm),
                              full: ResourceSize(vcpus: fv, memoryKiB: fm), createdAt: created.seconds)
    }

    /// The attributes of the first element (names without prefix handling: psm's are unprefixed).
    static func firstElementAttributes(_ xml: String) -> [String: String]? {
        let s = Array(xml.unicodeScalars)
        var i = 0
        // XML's white space is these four (the `S` production): a Unicode property lookup per
        // character was most of reading a host's domains (docs/benchmarks.md, "The whole actuator cycle").
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" }
        func text(_ from: Int, _ to: Int) -> String { String(String.UnicodeScalarView(s[from..<to])) }
        func skipSpace() { while i < s.count, isSpace(s[i]) { i += 1 } }
        // Skip an XML declaration or comments before the element.
        while true {
            skipSpace()
            guard i + 1 < s.count, s[i] == "<" else { return nil }
            if s[i + 1] == "?" || s[i + 1] == "!" {
                while i < s.count, s[i] != ">" { i += 1 }
                i += 1
                continue
            }
            break
        }
        i += 1
        while i < s.count, !isSpace(s[i]), s[i] != "/", s[i] != ">" { i += 1 }
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard i < s.count else { return nil }
            if s[i] == "/" || s[i] == ">" { return attributes }
            let nameStart = i
            while i < s.count, s[i] != "=", !isSpace(s[i]) { i += 1 }
            let name = text(nameStart, i)
            skipSpace()
            guard i < s.count, s[i] == "=" else { return nil }
            i += 1
            skipSpace()
            guard i < s.count, s[i] == "'" || s[i] == "\"" else { return nil }
            let quote = s[i]
            i += 1
            let rawStart = i
            while i < s.count, s[i] != quote { i += 1 }
            guard i < s.count else { return nil }
            let raw = text(rawStart, i)
            i += 1
            guard let value = unescape(raw) else { return nil }
            attributes[name] = value
        }
    }

    /// Resolves the five predefined entities and numeric character references; nil on others.
    static func unescape(_ text: String) -> String? {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { return nil }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "apos": out += "'"
            case "quot": out += "\""
            default:
                guard entity.hasPrefix("#") else { return nil }
                let digits = entity.dropFirst()
                let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                    ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value) else { return nil }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
