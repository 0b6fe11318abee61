/// Escaping of text placed in HTML or SVG: element content and quoted attribute values alike.
enum HTMLText {
    /// `s` with `& < > " '` replaced by character references, so that any series id or model
    /// name stays text and cannot open a tag, close an attribute or start an entity.
    static func escape(_ s: String) -> String {
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
                // Control characters other than tab/newline are not allowed in HTML text.
                if c.value < 0x20, c != "\t", c != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
