/// Condenses a file's reader diagnostics for the terminal: per kind of problem, the first
/// `perCode` in full (file:line: message) and one line counting the rest.
///
/// Why: real files repeat one problem many times (NAB files have runs of duplicate timestamps);
/// a screen of identical warnings hides the one that matters.
package func summarize(_ diagnostics: [Diagnostic], file: String, perCode: Int) -> [String] {
    let notable = diagnostics.filter { $0.severity != .info }
    var order: [Diagnostic.Code] = []
    var byCode: [Diagnostic.Code: [Diagnostic]] = [:]
    for d in notable {
        if byCode[d.code] == nil { order.append(d.code) }
        byCode[d.code, default: []].append(d)
    }
    var lines: [String] = []
    for code in order {
        let all = byCode[code] ?? []
        lines += all.prefix(perCode).map(\.description)
        if all.count > perCode {
            let shown = all.prefix(perCode).map { String($0.line) }
            let more = all.count - perCode
            lines.append(shown.isEmpty
                ? "\(file): \(more) × [\(code.rawValue)] (--diagnostics N shows them)"
                : "\(file): \(more) more [\(code.rawValue)] besides line\(shown.count > 1 ? "s" : "") \(shown.joined(separator: ", ")) (--diagnostics N shows more)")
        }
    }
    return lines
}
