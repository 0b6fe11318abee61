// psm-fuzz: a seeded mutation fuzzer for psm's input readers (docs/fuzzing.md).
//
//   psm-fuzz list
//   psm-fuzz run --target NAME --corpus DIR [--seed S] [--executions N] [--max-len BYTES]
//                [--timeout SECONDS] [--crash-file FILE] [--status-file FILE] [--slowest-file FILE]
//   psm-fuzz replay --target NAME FILE|DIR...
//   psm-fuzz ci --root Tests/Fuzz [--seed S] [--executions N]
//
// Test support: no product exports it and psm / psm-actuator never link it.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

struct Options {
    var command = ""
    var target: String?
    var corpus: [String] = []
    var inputs: [String] = []
    var root = "Tests/Fuzz"
    var seed: UInt64 = 1
    var executions = 10_000
    var maxLength = 4096
    var timeout: UInt32 = 10
    var crashFile: String?
    var statusFile: String?
    var slowestFile: String?

    init(_ args: [String]) {
        var it = args.makeIterator()
        command = it.next() ?? "help"
        func value(_ flag: String) -> String {
            guard let v = it.next() else { fail("\(flag) needs a value") }
            return v
        }
        while let a = it.next() {
            switch a {
            case "--target": target = value(a)
            case "--corpus": corpus.append(value(a))
            case "--root": root = value(a)
            case "--seed": seed = UInt64(value(a)) ?? { fail("--seed: expected an unsigned integer") }()
            case "--executions": executions = Int(value(a)) ?? { fail("--executions: expected an integer") }()
            case "--max-len": maxLength = Int(value(a)) ?? { fail("--max-len: expected an integer") }()
            case "--timeout": timeout = UInt32(value(a)) ?? { fail("--timeout: expected seconds") }()
            case "--crash-file": crashFile = value(a)
            case "--status-file": statusFile = value(a)
            case "--slowest-file": slowestFile = value(a)
            default:
                if a.hasPrefix("--") { fail("unknown option \(a)") }
                inputs.append(a)
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-fuzz: \(message)\n".utf8))
    exit(2)
}

func log(_ message: String) { FileHandle.standardError.write(Data("\(message)\n".utf8)) }

/// The regular files under `path` (or `path` itself), sorted by path so that a run is repeatable.
func files(at path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
    guard isDirectory.boolValue else { return [path] }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(path)/\($0)" }.filter {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue
    }
}

func read(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    return [UInt8](data)
}

func target(_ name: String?) -> FuzzTarget {
    guard let name else { fail("--target is required (psm-fuzz list names them)") }
    guard let t = FuzzTarget.named(name) else {
        fail("unknown target \(name); one of \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
    }
    return t
}

/// One fuzzing campaign on one target.
struct Campaign {
    let target: FuzzTarget
    var corpus: [[UInt8]]
    var mutator: Mutator
    /// Outcome shapes seen so far (FNV-1a of the shape). An input with a new outcome joins the
    /// corpus: a cheap stand-in for coverage feedback that steers towards new error paths.
    var seen = Set<UInt64>()
    var executions = 0
    var slowest: (seconds: Double, outcome: String, input: [UInt8]) = (0, "", [])
    let corpusLimit = 4096
    /// PSM_FUZZ_PRINT_OUTCOMES=1 prints each new outcome shape (to tune `FuzzTarget.shape`).
    static let printOutcomes = ProcessInfo.processInfo.environment["PSM_FUZZ_PRINT_OUTCOMES"] == "1"
    let timeout: UInt32

    init(target: FuzzTarget, seeds: [[UInt8]], seed: UInt64, maxLength: Int, timeout: UInt32) {
        self.target = target
        corpus = seeds.isEmpty ? [[]] : seeds
        mutator = Mutator(seed: seed, dictionary: target.dictionary, maxLength: maxLength)
        self.timeout = timeout
    }

    mutating func execute(_ input: [UInt8]) {
        CrashGuard.set(input)
        if CrashGuard.armed { alarm(timeout) }
        let start = ContinuousClock.now
        let outcome = target.run(input)
        let elapsed = ContinuousClock.now - start
        executions += 1
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if seconds > slowest.seconds { slowest = (seconds, outcome, input) }
        if seen.insert(fnv1a(outcome.utf8)).inserted {
            if Self.printOutcomes { log("new outcome: \(outcome)") }
            if corpus.count < corpusLimit, !input.isEmpty { corpus.append(input) }
        }
    }

    /// Runs every seed as it is, then `count` mutated inputs.
    mutating func run(count: Int, statusFile: String?, progress: Bool) {
        for seed in corpus { execute(seed) }
        let started = ContinuousClock.now
        var lastReport = started
        for i in 0..<count {
            let base = corpus[mutator.rng.below(corpus.count)]
            let other = corpus[mutator.rng.below(corpus.count)]
            execute(mutator.mutate(base, other: other))
            if i % 4096 == 0 {
                let now = ContinuousClock.now
                if now - lastReport > .seconds(30) {
                    lastReport = now
                    let s = Self.seconds(now - started)
                    if progress {
                        log("\(target.name): \(i) mutated executions, \(Int(Double(i) / max(s, 1e-9))) exec/s, corpus \(corpus.count), outcomes \(seen.count)")
                    }
                    if let statusFile { try? "mutated=\(i)\n".write(toFile: statusFile, atomically: true, encoding: .utf8) }
                }
            }
        }
        if CrashGuard.armed { alarm(0) }
        if let statusFile { try? "mutated=\(count)\n".write(toFile: statusFile, atomically: true, encoding: .utf8) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
defer { unlink(FuzzTarget.apiFile) }
switch options.command {
case "list":
    for t in FuzzTarget.all { print("\(t.name)\t\(t.summary)") }

case "replay":
    // No crash guard: a crashing input dies with the Swift runtime's message and backtrace.
    let t = target(options.target)
    let paths = options.inputs.flatMap(files(at:))
    guard !paths.isEmpty else { fail("replay: give input files or directories") }
    for path in paths {
        print("\(path): \(t.run(read(path)))")
    }

case "run":
    let t = target(options.target)
    let seeds = options.corpus.flatMap(files(at:)).map(read)
    if let crashFile = options.crashFile { CrashGuard.install(crashFile: crashFile) }
    var campaign = Campaign(target: t, seeds: seeds, seed: options.seed, maxLength: options.maxLength, timeout: options.timeout)
    let start = ContinuousClock.now
    campaign.run(count: options.executions, statusFile: options.statusFile, progress: true)
    let seconds = Campaign.seconds(ContinuousClock.now - start)
    if let path = options.slowestFile { FileManager.default.createFile(atPath: path, contents: Data(campaign.slowest.input)) }
    print("target=\(t.name) seed=\(options.seed) seeds=\(seeds.count) executions=\(campaign.executions) "
          + "seconds=\(String(format: "%.1f", seconds)) exec_per_s=\(Int(Double(campaign.executions) / max(seconds, 1e-9))) "
          + "corpus=\(campaign.corpus.count) outcomes=\(campaign.seen.count) "
          + "slowest_ms=\(String(format: "%.1f", campaign.slowest.seconds * 1000)) crashes=0")

case "ci":
    // The short deterministic stage of scripts/test.sh: for every target, the stored corpus and
    // every saved crash input (regressions), then a fixed-seed run of mutated inputs.
    let crashFile = FileManager.default.temporaryDirectory.appendingPathComponent("psm-fuzz-ci-crash-\(getpid())").path
    CrashGuard.install(crashFile: crashFile)
    let selected = options.target.map { [target($0)] } ?? FuzzTarget.all
    let total = ContinuousClock.now
    for t in selected {
        let seeds = files(at: "\(options.root)/corpus/\(t.name)").map(read)
        let crashes = files(at: "\(options.root)/crashes/\(t.name)")
        log("psm-fuzz ci: \(t.name): \(seeds.count) seeds, \(crashes.count) saved crash inputs, \(options.executions) mutated inputs "
            + "(if it dies, the input is in \(crashFile); psm-fuzz replay --target \(t.name) FILE shows the trap)")
        let start = ContinuousClock.now
        var campaign = Campaign(target: t, seeds: seeds, seed: options.seed, maxLength: options.maxLength, timeout: options.timeout)
        for path in crashes { campaign.execute(read(path)) }
        campaign.run(count: options.executions, statusFile: nil, progress: false)
        print("psm-fuzz ci: \(t.name): \(campaign.executions) executions in "
              + "\(String(format: "%.1f", Campaign.seconds(ContinuousClock.now - start))) s, no crash")
    }
    print("psm-fuzz ci: \(selected.count) targets in \(String(format: "%.1f", Campaign.seconds(ContinuousClock.now - total))) s")

default:
    print("""
    usage: psm-fuzz list
           psm-fuzz run --target NAME --corpus DIR [--seed S] [--executions N] [--max-len BYTES] [--timeout S]
                        [--crash-file FILE] [--status-file FILE] [--slowest-file FILE]
           psm-fuzz replay --target NAME FILE|DIR...
           psm-fuzz ci [--root Tests/Fuzz] [--seed S] [--executions N] [--target NAME]
    (docs/fuzzing.md)
    """)
    if options.command != "help" { exit(2) }
}
