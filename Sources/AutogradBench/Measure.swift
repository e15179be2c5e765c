#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Best and median of repeated timings: best shows what the code can do, median what a shared machine gave.
struct Timing {
  var best: Double
  var median: Double

  /// Runs `body` once to warm caches and page tables, then `repetitions` timed times.
  static func measure(repetitions: Int, _ body: () -> Void) -> Timing {
    body()
    let clock = ContinuousClock()
    var samples: [Double] = []
    for _ in 0..<max(1, repetitions) {
      let start = clock.now
      body()
      samples.append(seconds(clock.now - start))
    }
    samples.sort()
    return Timing(best: samples[0], median: samples[samples.count / 2])
  }
}

func seconds(_ duration: Duration) -> Double {
  let (whole, attoseconds) = duration.components
  return Double(whole) + Double(attoseconds) * 1e-18
}

/// Peak resident set size in bytes (VmHWM), or nil off Linux.
func peakResidentBytes() -> Int? {
  guard let file = fopen("/proc/self/status", "r") else { return nil }
  defer { fclose(file) }
  var line = [CChar](repeating: 0, count: 256)
  while fgets(&line, Int32(line.count), file) != nil {
    let text = String(cString: line)
    if text.hasPrefix("VmHWM:") {
      let digits = text.filter(\.isNumber)
      return Int(digits).map { $0 * 1024 }
    }
  }
  return nil
}

/// Resets VmHWM to the current RSS (Linux >= 4.0), so a section's peak is its own.
func resetPeakResident() {
  guard let file = fopen("/proc/self/clear_refs", "w") else { return }
  fputs("5", file)
  fclose(file)
}

/// One `key value` line per figure: the bench script parses these.
func report(_ key: String, _ value: Double, digits: Int = 2) {
  print("\(key) \(formatted(value, digits: digits))")
}

func report(_ key: String, _ value: String) {
  print("\(key) \(value)")
}

func formatted(_ value: Double, digits: Int) -> String {
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let rounded = (value * scale).rounded() / scale
  return "\(rounded)"
}
