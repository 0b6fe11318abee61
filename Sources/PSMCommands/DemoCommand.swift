import ArgumentParser
import Demo
import RealVMSupport

/// `psm demo`: the whole loop on bundled data — train on the first days of two NAB EC2 CPU series,
/// then replay the remaining days through the actuator on libvirt's test driver (docs/actuator.md, "Demo").
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train on bundled data, then replay the held-out days through the actuator (libvirt test driver).",
        discussion: """
        Writes out/demo/: train.csv and replay.csv (two groups of 5-minute CPU demand, split after \
        day 10), psm.toml, the models, the training report, the actuator's store and summary.json. \
        The demand is a VM group's CPU utilisation read as capacity units.
        """)

    @Option(help: "The bundled datasets directory.") var datasets = "Datasets"

    @Option(help: "Where the demo writes everything (default out/demo, out/demo-real with --real).") var out: String?

    @Option(help: "The libvirt URI the actuator drives (default: libvirt's test driver on a node file of 64 CPUs and 64 GiB in the output folder; qemu:///system with --real).")
    var hypervisor: String?

    @Option(help: "Days of each series used for training (the rest is replayed).") var trainDays = 10

    @Flag(help: """
        Run on real QEMU guests under libvirtd (needs `sudo scripts/realvm.sh up && sudo scripts/realvm.sh guest`): \
        one group of at most two shadows of the tiny guest, a short replay paced in real time so that the \
        shadows boot before they are parked; a few minutes (docs/realvm.md, "psm demo --real").
        """)
    var real = false

    func run() async throws {
        do {
            if real {
                try await RealDemo(datasets: datasets, out: out ?? "out/demo-real", uri: hypervisor ?? RealVMGuest.uri,
                                   trainDays: trainDays, psmVersion: PSM.version).run()
            } else {
                try await Demo(datasets: datasets, out: out ?? "out/demo", hypervisor: hypervisor,
                               trainDays: trainDays, psmVersion: PSM.version).run()
            }
        } catch let error as DemoError {
            throw ValidationError(error.description)
        }
    }
}
