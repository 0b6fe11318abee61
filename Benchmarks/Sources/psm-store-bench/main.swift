// psm-store-bench: the store calls of one decision cycle, SQLite against PostgreSQL
// (docs/benchmarks.md, "Actuator store: SQLite and PostgreSQL").
//
//   swift build -c release --product psm-store-bench
//   scripts/pg-test.sh bash -c '.build/release/psm-store-bench --postgres "$PSM_TEST_POSTGRES"'
//   options: --groups N (10000) --cycles C (7) --work DIR --json OUT
import Foundation

var groups = 10_000, cycles = 7
var postgres: String?
var json: String?
var work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("psm-store-bench")
var arguments = CommandLine.arguments.dropFirst()
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-store-bench: \(message)\n".utf8))
    exit(2)
}
@MainActor func value(_ name: String) -> String {
    guard let v = arguments.popFirst() else { fail("\(name) needs a value") }
    return v
}
@MainActor func count(_ name: String) -> Int {
    guard let n = Int(value(name)), n > 0 else { fail("\(name) needs a positive integer") }
    return n
}
while let argument = arguments.popFirst() {
    switch argument {
    case "--groups": groups = count(argument)
    case "--cycles": cycles = count(argument)
    case "--postgres": postgres = value(argument)
    case "--work": work = URL(fileURLWithPath: value(argument))
    case "--json": json = value(argument)
    default: fail("unknown argument \(argument)")
    }
}
do {
    let results = try StoreBench.run(directory: work, groups: groups, cycles: cycles, postgres: postgres)
    if let json {
        try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
    }
} catch {
    fail("\(error)")
}
