import Synchronization

/// Request counters and latency histograms for `/metrics`. Labels are route templates and a closed set of methods,
/// never anything a client chooses freely (a session id in a label would grow the series without bound).
final class Metrics: Sendable {
  static let bucketBounds: [Double] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
  ]

  private struct CountKey: Hashable {
    var method: String
    var route: Int
    var status: Int
  }

  private struct Histogram {
    /// One more than `bucketBounds`: the last is `+Inf`. Not cumulative; summed when rendered.
    var buckets: [Int] = Array(repeating: 0, count: Metrics.bucketBounds.count + 1)
    var sum: Double = 0
    var count: Int = 0
  }

  private struct State {
    var counts: [CountKey: Int] = [:]
    var histograms: [Int: Histogram] = [:]
  }

  /// `route` labels by index; the extra last one is for requests that matched no route.
  private let routeLabels: [String]
  private let state = Mutex(State())

  init(routeTemplates: [String]) {
    routeLabels = routeTemplates + ["unmatched"]
  }

  var unmatchedRoute: Int { routeLabels.count - 1 }

  func record(method: String, route: Int, status: Int, seconds: Double) {
    let bucket = Metrics.bucketBounds.firstIndex { seconds <= $0 } ?? Metrics.bucketBounds.count
    let key = CountKey(method: Metrics.methodLabel(method), route: route, status: status)
    state.withLock { state in
      state.counts[key, default: 0] += 1
      var histogram = state.histograms.removeValue(forKey: route) ?? Histogram()
      histogram.buckets[bucket] += 1
      histogram.sum += seconds
      histogram.count += 1
      state.histograms[route] = histogram
    }
  }

  /// Prometheus text exposition format 0.0.4.
  func render(
    sessions: Int, tensors: Int, tensorBytes: Int, budgetUsed: Int = 0, budgetLimit: Int = 0
  ) -> String {
    let snapshot = state.withLock { $0 }
    var out = "# HELP http_requests_total HTTP requests by method, route template and status.\n"
    out += "# TYPE http_requests_total counter\n"
    let keys = snapshot.counts.keys.sorted {
      ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status)
    }
    for key in keys {
      out += "http_requests_total{method=\"\(key.method)\",route=\"\(routeLabels[key.route])\","
      out += "status=\"\(key.status)\"} \(snapshot.counts[key] ?? 0)\n"
    }
    out +=
      "# HELP http_request_duration_seconds Time from request to response, by route template.\n"
    out += "# TYPE http_request_duration_seconds histogram\n"
    for route in snapshot.histograms.keys.sorted() {
      guard let histogram = snapshot.histograms[route] else { continue }
      let label = "route=\"\(routeLabels[route])\""
      var cumulative = 0
      for (index, count) in histogram.buckets.enumerated() {
        cumulative += count
        let bound = index < Metrics.bucketBounds.count ? "\(Metrics.bucketBounds[index])" : "+Inf"
        out += "http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(cumulative)\n"
      }
      out += "http_request_duration_seconds_sum{\(label)} \(histogram.sum)\n"
      out += "http_request_duration_seconds_count{\(label)} \(histogram.count)\n"
    }
    out += "# HELP autograd_sessions Live sessions.\n# TYPE autograd_sessions gauge\n"
    out += "autograd_sessions \(sessions)\n"
    out +=
      "# HELP autograd_tensors Named tensors over all sessions.\n# TYPE autograd_tensors gauge\n"
    out += "autograd_tensors \(tensors)\n"
    out +=
      "# HELP autograd_tensor_bytes Bytes of storage behind named tensors (views counted once).\n"
      + "# TYPE autograd_tensor_bytes gauge\n"
    out += "autograd_tensor_bytes \(tensorBytes)\n"
    out +=
      "# HELP autograd_memory_budget_used_bytes Bytes held or reserved against max-total-bytes.\n"
    out += "# TYPE autograd_memory_budget_used_bytes gauge\n"
    out += "autograd_memory_budget_used_bytes \(budgetUsed)\n"
    out += "# HELP autograd_memory_budget_bytes The global memory budget (max-total-bytes).\n"
    out += "# TYPE autograd_memory_budget_bytes gauge\n"
    out += "autograd_memory_budget_bytes \(budgetLimit)\n"
    return out
  }

  private static let knownMethods: Set<String> = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
  ]

  private static func methodLabel(_ method: String) -> String {
    knownMethods.contains(method) ? method : "OTHER"
  }
}
