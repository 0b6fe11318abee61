/// Escaping of text placed in HTML, SVG or XML (the reports, libvirt's domain XML): element content
/// and single- or double-quoted attribute values alike. The one escape of psm.
package enum HTMLText {
    /// `s` with `& < > " '` replaced by character references, so that any series id or model
    /// name stays text and cannot open a tag, close an attribute or start an entity.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in HTML text (nor in XML 1.0).
                if c.value < 0x20, c != "\t", c != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
