import ArgumentParser

@main
struct AutogradServerCommand: AsyncParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "autograd-server",
    abstract: "PyTorch's autograd, served over HTTP.",
    version: version,
    subcommands: [ServeCommand.self, HealthcheckCommand.self],
    defaultSubcommand: ServeCommand.self)

  static func main() async {
    ShutdownSignals.unblock()
    await main(nil)
  }
}
