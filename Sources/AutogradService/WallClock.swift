#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Time without Foundation's `Date` on the hot path: one `clock_gettime` per read.
enum WallClock {
  /// Seconds since the Unix epoch.
  static func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }

  /// Seconds on a clock that never jumps, for durations.
  static func monotonic() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }

  /// RFC 3339 UTC with whole seconds, e.g. `2026-11-27T20:05:55Z`.
  static func rfc3339(_ seconds: Double) -> String {
    let total = Int64(seconds.isFinite ? min(max(seconds, -1e15), 1e15).rounded(.down) : 0)
    var days = total / 86_400
    var rest = total % 86_400
    if rest < 0 {
      rest += 86_400
      days -= 1
    }
    let (year, month, day) = civil(fromDays: days)
    var out = [UInt8]()
    out.reserveCapacity(20)
    // Digits written in place, right to left: no array per field.
    func put(_ value: Int64, width: Int) {
      let start = out.count
      out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
      var v = value
      var i = start + width - 1
      while i >= start {
        out[i] = UInt8(ascii: "0") + UInt8(v % 10)
        v /= 10
        i -= 1
      }
    }
    put(year, width: 4)
    out.append(UInt8(ascii: "-"))
    put(month, width: 2)
    out.append(UInt8(ascii: "-"))
    put(day, width: 2)
    out.append(UInt8(ascii: "T"))
    put(rest / 3600, width: 2)
    out.append(UInt8(ascii: ":"))
    put(rest / 60 % 60, width: 2)
    out.append(UInt8(ascii: ":"))
    put(rest % 60, width: 2)
    out.append(UInt8(ascii: "Z"))
    return String(decoding: out, as: UTF8.self)
  }

  /// Howard Hinnant's days-from-civil inverse: proleptic Gregorian date of a day count since 1970-01-01.
  private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
  }
}
