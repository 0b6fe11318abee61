// psm-registry-stress ROOT GROUP [--first-publishes]: publishes versions of GROUP under ROOT in a
// loop, forever, running `retain` every few versions — or, with --first-publishes, the first
// version of GROUP-1, GROUP-2, … ModelRegistryTests launches it and SIGKILLs it at random moments
// to show a crash never leaves CURRENT unloadable. Not a tool for users.
import Foundation
import ModelRegistry

let arguments = CommandLine.arguments
let firstPublishes = arguments.count == 4 && arguments[3] == "--first-publishes"
guard arguments.count == 3 || firstPublishes else {
    FileHandle.standardError.write(Data("usage: psm-registry-stress ROOT GROUP [--first-publishes]\n".utf8))
    exit(2)
}
let registry = ModelRegistry(root: URL(fileURLWithPath: arguments[1]))
let group = arguments[2]
var generator = SystemRandomNumberGenerator()
var n = 0
while true {
    n += 1
    // Files of varied sizes whose bytes are derived from a seed stored in the manifest, so a test
    // can check the contents as well as the checksums.
    let seed = UInt8.random(in: 0 ... .max, using: &generator)
    var files: [String: Data] = [:]
    for f in 0..<3 {
        let size = Int.random(in: 1...20_000, using: &generator)
        files["part\(f).bin"] = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ f) })
    }
    let manifest = ModelManifest(kind: "stress", hyperParameters: ["seed": .number(Double(seed)), "n": .number(Double(n))])
    do {
        if firstPublishes {
            try registry.publish(group: "\(group)-\(n)", manifest: manifest, files: files)
        } else {
            try registry.publish(group: group, manifest: manifest, files: files)
            if n % 4 == 0 { try registry.retain(group: group, keep: 3) }
        }
    } catch {
        FileHandle.standardError.write(Data("psm-registry-stress: \(error)\n".utf8))
        exit(1)
    }
}
