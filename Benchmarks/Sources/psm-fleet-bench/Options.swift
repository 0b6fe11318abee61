import Foundation

/// The command line of psm-fleet-bench (bench/fleet.sh passes it).
struct Options {
    var store = ""
    var actuator = ""
    var hostURIs: [String] = []
    var json: String?
    var actuators = 3, groups = 200, kills = 20
    var lease: Int64 = 3
    var datasets = "Datasets/nab-aws-cloudwatch/realAWSCloudwatch"
    var seed: UInt64 = 15

    static let usage = "usage: psm-fleet-bench --store postgres://… --actuator PATH/psm-actuator --host URI [--host URI…] "
        + "[--json OUT] [--actuators 3] [--groups 200] [--kills 20] [--lease 3] [--datasets DIR] [--seed N]"

    init(_ args: [String]) {
        var i = 1
        func next() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value\n\(Self.usage)") }
            return args[i]
        }
        func number(_ text: String) -> Int {
            guard let n = Int(text), n > 0 else { fail("\(args[i - 1]): expected a positive integer, got \(text)") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--store": store = next()
            case "--actuator": actuator = next()
            case "--host": hostURIs.append(next())
            case "--json": json = next()
            case "--actuators": actuators = number(next())
            case "--groups": groups = number(next())
            case "--kills": kills = number(next())
            case "--lease": lease = Int64(number(next()))
            case "--datasets": datasets = next()
            case "--seed": seed = UInt64(number(next()))
            default: fail("unknown argument \(args[i])\n\(Self.usage)")
            }
            i += 1
        }
        if store.isEmpty || actuator.isEmpty || hostURIs.isEmpty { fail(Self.usage) }
        if lease < 2 { fail("--lease: at least 2 seconds (the actuator's own minimum)") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-fleet-bench: \(message)\n".utf8))
    exit(2)
}

func say(_ message: String) {
    FileHandle.standardError.write(Data("psm-fleet-bench: \(message)\n".utf8))
}

/// A seeded generator (SplitMix64): the same kill schedule for the same seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Recorded demand: the NAB CloudWatch CPU traces, each scaled so that its 90th percentile is 0.9
/// capacity units (the trigger activates above 0.8 of the 1 unit running).
func traces(_ folder: String) -> [[Double]] {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("ec2_cpu") }.sorted()
    let out: [[Double]] = files.compactMap { name in
        guard let text = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) else { return nil }
        let values = text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        let sorted: [Double] = values.sorted()
        guard !sorted.isEmpty else { return nil }
        let p90: Double = sorted[sorted.count * 9 / 10]
        guard p90 > 0 else { return nil }
        return values.map { $0 / p90 * 0.9 }
    }
    if out.isEmpty { fail("no ec2_cpu_*.csv traces in \(folder)") }
    return out
}
