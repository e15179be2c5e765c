import Synchronization

/// Request counters and latency histograms for `/metrics`. Labels are route templates and a closed set of methods,
/// never anything a client chooses freely (a session id in a label would grow the series without bound).
final class Metrics: Sendable {
  static let bucketBounds: [Double] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
  ]

  /// Requests of one method label and status on one route.
  private struct Count {
    var method: Int
    var status: Int
    var count: Int
  }

  private struct Histogram {
    /// One more than `bucketBounds`: the last is `+Inf`. Not cumulative; summed when rendered.
    var buckets: [Int] = Array(repeating: 0, count: Metrics.bucketBounds.count + 1)
    var sum: Double = 0
    var count: Int = 0
  }

  /// Indexed by route: recording is array indexing and a short scan, no hashing (it runs on every request).
  private struct State {
    var counts: [[Count]]
    var histograms: [Histogram]
  }

  /// `route` labels by index; the extra last one is for requests that matched no route.
  private let routeLabels: [String]
  private let state: Mutex<State>

  init(routeTemplates: [String]) {
    routeLabels = routeTemplates + ["unmatched"]
    state = Mutex(
      State(
        counts: Array(repeating: [], count: routeLabels.count),
        histograms: Array(repeating: Histogram(), count: routeLabels.count)))
  }

  var unmatchedRoute: Int { routeLabels.count - 1 }

  func record(method: String, route: Int, status: Int, seconds: Double) {
    let bucket = Metrics.bucketBounds.firstIndex { seconds <= $0 } ?? Metrics.bucketBounds.count
    let methodIndex = Metrics.methodIndex(method)
    guard route >= 0 && route < routeLabels.count else { return }
    state.withLock { state in
      if let k = state.counts[route].firstIndex(where: {
        $0.method == methodIndex && $0.status == status
      }) {
        state.counts[route][k].count += 1
      } else {
        state.counts[route].append(Count(method: methodIndex, status: status, count: 1))
      }
      state.histograms[route].buckets[bucket] += 1
      state.histograms[route].sum += seconds
      state.histograms[route].count += 1
    }
  }

  /// Prometheus text exposition format 0.0.4.
  func render(
    sessions: Int, tensors: Int, tensorBytes: Int, budgetUsed: Int = 0, budgetLimit: Int = 0
  ) -> String {
    let snapshot = state.withLock { $0 }
    var out = "# HELP http_requests_total HTTP requests by method, route template and status.\n"
    out += "# TYPE http_requests_total counter\n"
    for (route, counts) in snapshot.counts.enumerated() {
      let sorted = counts.sorted {
        (Metrics.methodLabels[$0.method], $0.status) < (Metrics.methodLabels[$1.method], $1.status)
      }
      for entry in sorted {
        out += "http_requests_total{method=\"\(Metrics.methodLabels[entry.method])\","
        out += "route=\"\(routeLabels[route])\",status=\"\(entry.status)\"} \(entry.count)\n"
      }
    }
    out +=
      "# HELP http_request_duration_seconds Time from request to response, by route template.\n"
    out += "# TYPE http_request_duration_seconds histogram\n"
    for (route, histogram) in snapshot.histograms.enumerated() where histogram.count > 0 {
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

  /// Method labels; anything else is `OTHER` (the last).
  private static let methodLabels = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER",
  ]

  private static func methodIndex(_ method: String) -> Int {
    methodLabels.firstIndex(of: method) ?? methodLabels.count - 1
  }
}
