import ArgumentParser

/// The `psm` command: the batch side of the Predictive Scaling Module.
package struct PSM: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "psm",
        abstract: "Predictive Scaling Module: forecast VM-group demand and keep shadow VMs ready.",
        subcommands: [InspectCommand.self, IngestCommand.self, ForecastCommand.self, BacktestCommand.self,
                      ModelsCommand.self, ReportCommand.self, TrainCommand.self, DemoCommand.self,
                      SimulateCommand.self]
    )
    package init() {}
}
