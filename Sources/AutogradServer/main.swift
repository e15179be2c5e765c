import ArgumentParser

struct AutogradServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "autograd-server")
    func run() throws {}
}
AutogradServerCommand.main()
