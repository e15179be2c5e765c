/// Runs the service with resolved settings until a shutdown signal, then drains.
struct ServerRunner {
  let settings: ServeSettings

  func run() async throws {
    throw ConfigurationError(
      message: "serving needs the AutogradService and HTTPServer modules, not merged yet")
  }
}
