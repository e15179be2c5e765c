// Measures TensorJSON on a tensor-sized body: `TensorJSONBench <file.json> [repetitions]` parses the file (a nested
// float32 tensor, as orjson writes it), reads it as a tensor literal, writes it back as float32, and prints the
// best MB/s of each direction. `scripts/bench-json.sh` runs it next to orjson on the same file.
import Dispatch
import TensorJSON

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

func readFile(_ path: String) -> [UInt8]? {
  guard let file = fopen(path, "rb") else { return nil }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
    if n == 0 { break }
    bytes.append(contentsOf: chunk[0..<n])
  }
  return bytes
}

/// CPU time of this thread: unlike wall time, not inflated when other processes share the cores.
func cpuSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func seconds(_ duration: Duration) -> Double {
  let (s, attoseconds) = duration.components
  return Double(s) + Double(attoseconds) * 1e-18
}

let arguments = CommandLine.arguments

/// `TensorJSONBench --verify-float32 [stride]`: every stride-th float32 bit pattern is written, must read back to
/// the same bits, and must have the same significant digits as Swift's `description` (shortest, then closest).
func verifyFloat32(stride: UInt32) -> Never {
  var checked = 0
  var failures = 0
  var bits: UInt32 = 0
  while true {
    let value = Float(bitPattern: bits)
    if value.isFinite {
      var writer = JSONWriter(capacity: 64)
      writer.number(value)
      let text = String(decoding: writer.bytes, as: UTF8.self)
      let digits = { (s: String) in
        String(
          s.split(separator: "e")[0].filter(\.isNumber).drop { $0 == "0" }.reversed().drop {
            $0 == "0"
          }.reversed())
      }
      if Float(text)?.bitPattern != bits || digits(text) != digits(value.description) {
        failures += 1
        if failures <= 10 {
          print("mismatch: bits \(bits) ours \(text) swift \(value.description)")
        }
      }
      checked += 1
    }
    let (next, overflow) = bits.addingReportingOverflow(stride)
    if overflow { break }
    bits = next
  }
  print("verified \(checked) float32 values, \(failures) failures")
  exit(failures == 0 ? 0 : 1)
}

/// `TensorJSONBench --verify-float32-parse [rows]`: rows of 1,000 literals near float32 midpoints (the midpoint
/// rounded to 6-17 significant digits, fixed and exponent forms, both signs) and at random, read through the float32
/// member path and through the Double reader; every float must be `Float(double)`, bit for bit.
func verifyFloat32Parse(rows: Int) -> Never {
  var generator = SystemRandomNumberGenerator()
  var buffer = [CChar](repeating: 0, count: 64)
  func format(_ value: Double, _ spec: String) -> String {
    buffer.withUnsafeMutableBufferPointer { out in
      _ = withVaList([value]) { vsnprintf(out.baseAddress, out.count, spec, $0) }
      return String(cString: out.baseAddress!)
    }
  }
  var failures = 0
  var checked = 0
  for _ in 0..<rows {
    var literals: [String] = []
    for _ in 0..<1000 {
      let exponent = Int.random(in: -12...9, using: &generator)
      let f = Float(Double.random(in: 1..<10, using: &generator) * pow(10, Double(exponent)))
      let midpoint = (Double(f) + Double(f.nextUp)) / 2
      let digits = Int.random(in: 6...17, using: &generator)
      let sign = Bool.random(using: &generator) ? "-" : ""
      switch Int.random(in: 0..<4, using: &generator) {
      case 0: literals.append(sign + format(midpoint, "%.\(digits)g"))
      case 1:
        let integerDigits = max(1, exponent + 1)
        literals.append(sign + format(midpoint, "%.\(max(0, min(15, digits - integerDigits)))f"))
      case 2: literals.append(sign + format(Double(f), "%.\(digits)g"))
      default: literals.append(sign + "\(Double(f).nextUp)")
      }
    }
    let text = "{\"data\":[" + literals.joined(separator: ",") + "]}"
    let bytes = Array(text.utf8)
    do {
      let packed = try float32TensorLiteral(
        data: JSONValue.parse(bytes, float32Member: "data")["data"] ?? .null, shape: nil)
      let doubles = try tensorLiteral(data: JSONValue.parse(bytes)["data"] ?? .null, shape: nil)
      for (k, (f, d)) in zip(packed.values, doubles.values).enumerated()
      where f.bitPattern != Float(d).bitPattern {
        failures += 1
        if failures <= 10 {
          print("mismatch: \(literals[k]) float32 path \(f) double path \(Float(d))")
        }
      }
      checked += packed.values.count
    } catch {
      print("parse failed: \(error)")
      exit(1)
    }
  }
  print("verified \(checked) literals, \(failures) failures")
  exit(failures == 0 ? 0 : 1)
}

/// `TensorJSONBench --verify-float32-exhaustive [chunks]`: every one of the 2^32 float32 bit patterns is written by
/// the float32 writer and by the reference writer it replaced; the texts must be the same bytes. Runs on every core
/// (`chunks` pieces of the bit-pattern space, 256 by default); a few minutes. A `stride` above 1 compares only every
/// stride-th pattern of each chunk (a quick check while changing the writer; the claim needs stride 1).
func verifyFloat32Exhaustive(chunks: Int, stride: UInt64 = 1) -> Never {
  let chunkSize = (UInt64(1) << 32) / UInt64(chunks)
  let failures = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
  failures.initialize(repeating: 0)
  let firstFailure = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: chunks)
  firstFailure.initialize(repeating: UInt64.max)
  let shared = ExhaustiveSlots(failures: failures, firstFailure: firstFailure)
  DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
    let start = UInt64(chunk) * chunkSize
    let end = chunk == chunks - 1 ? UInt64(1) << 32 : start + chunkSize
    var ours = [UInt8](repeating: 0, count: 64)
    var reference = [UInt8](repeating: 0, count: 64)
    var bad = 0
    ours.withUnsafeMutableBufferPointer { o in
      reference.withUnsafeMutableBufferPointer { r in
        guard let op = o.baseAddress, let rp = r.baseAddress else { return }
        var bits = start
        while bits < end {
          let value = Float(bitPattern: UInt32(truncatingIfNeeded: bits))
          let n = JSONWriter.writeFloat32(value, to: op)
          let m = JSONWriter.writeFloat32Reference(value, to: rp)
          if n != m || memcmp(op, rp, n) != 0 {
            if bad == 0 { shared.firstFailure[chunk] = bits }
            bad += 1
          }
          bits += stride
        }
      }
    }
    shared.failures[chunk] = bad
  }
  let total = failures.reduce(0, +)
  if let bits = firstFailure.min(), bits != UInt64.max {
    let value = Float(bitPattern: UInt32(truncatingIfNeeded: bits))
    func text(_ write: (Float, UnsafeMutablePointer<UInt8>) -> Int) -> String {
      var buffer = [UInt8](repeating: 0, count: 64)
      let n = buffer.withUnsafeMutableBufferPointer { b in
        b.baseAddress.map { write(value, $0) } ?? 0
      }
      return String(decoding: buffer[0..<n], as: UTF8.self)
    }
    print(
      "first mismatch: bits \(bits) ours \(text(JSONWriter.writeFloat32)) reference \(text(JSONWriter.writeFloat32Reference))"
    )
  }
  if stride == 1 {
    print("compared all 4294967296 float32 bit patterns, \(total) mismatches")
  } else {
    print("compared every \(stride)th float32 bit pattern of each chunk, \(total) mismatches")
  }
  exit(total == 0 ? 0 : 1)
}

/// `TensorJSONBench --verify-float32-stride <stride>`: as `--verify-float32-exhaustive` on every stride-th bit
/// pattern (and those next to every power of two, both signs), on one thread: a quick check while changing the writer.
func verifyFloat32Strided(stride: UInt64) -> Never {
  var ours = [UInt8](repeating: 0, count: 64)
  var reference = [UInt8](repeating: 0, count: 64)
  var bad = 0
  var checked = 0
  ours.withUnsafeMutableBufferPointer { o in
    reference.withUnsafeMutableBufferPointer { r in
      guard let op = o.baseAddress, let rp = r.baseAddress else { return }
      func check(_ bits: UInt32) {
        let value = Float(bitPattern: bits)
        let n = JSONWriter.writeFloat32(value, to: op)
        let m = JSONWriter.writeFloat32Reference(value, to: rp)
        checked += 1
        if n != m || memcmp(op, rp, n) != 0 {
          bad += 1
          if bad <= 10 {
            print(
              "mismatch: bits \(bits) ours \(String(decoding: UnsafeBufferPointer(start: op, count: n), as: UTF8.self)) reference \(String(decoding: UnsafeBufferPointer(start: rp, count: m), as: UTF8.self))"
            )
          }
        }
      }
      var bits: UInt64 = 0
      while bits < 1 << 32 {
        check(UInt32(truncatingIfNeeded: bits))
        bits += stride
      }
      for exponent: UInt32 in 0..<256 {
        for low: UInt32 in 0..<4 {
          for sign: UInt32 in [0, 1 << 31] {
            check(sign | exponent << 23 | low)
            check(sign | exponent << 23 | (0x7F_FFFF - low))
          }
        }
      }
    }
  }
  print("compared \(checked) float32 bit patterns, \(bad) mismatches")
  exit(bad == 0 ? 0 : 1)
}

/// `@unchecked Sendable`: each chunk writes only its own slot of both buffers, read after concurrentPerform returns.
struct ExhaustiveSlots: @unchecked Sendable {
  let failures: UnsafeMutableBufferPointer<Int>
  let firstFailure: UnsafeMutableBufferPointer<UInt64>
}

/// `TensorJSONBench --format-float32 <file.json> [repetitions]`: ns per value of the float32 writer and of the
/// reference writer on the file's values (one after the other into one buffer, as a row is written), alternating,
/// best thread CPU time of each. A fourth argument `ours` or `reference` runs only that one (for `perf stat`).
func compareFloat32Formatting(path: String, repetitions: Int, only: String) -> Never {
  guard let input = readFile(path),
    let literal = try? float32TensorLiteral(
      data: JSONValue.parse(input, float32Member: "data"), shape: nil)
  else {
    print("cannot read \(path) as a float32 tensor")
    exit(2)
  }
  let values = literal.values
  var buffer = [UInt8](repeating: 0, count: values.count * 20 + 64)
  var best = (Double.infinity, Double.infinity)
  var bytes = (0, 0)
  for _ in 0..<repetitions {
    for which in 0..<2 where only.isEmpty || (which == 0) == (only == "ours") {
      let start = cpuSeconds()
      let n = buffer.withUnsafeMutableBufferPointer { out -> Int in
        guard var p = out.baseAddress else { return 0 }
        let first = p
        for v in values {
          p +=
            which == 0
            ? JSONWriter.writeFloat32(v, to: p) : JSONWriter.writeFloat32Reference(v, to: p)
          p.pointee = UInt8(ascii: ",")
          p += 1
        }
        return p - first
      }
      let t = cpuSeconds() - start
      if which == 0 {
        best.0 = min(best.0, t)
        bytes.0 = n
      } else {
        best.1 = min(best.1, t)
        bytes.1 = n
      }
    }
  }
  let count = Double(values.count)
  print(
    "values \(values.count) ours_ns_per_value \(best.0 / count * 1e9) reference_ns_per_value \(best.1 / count * 1e9) bytes \(bytes.0) \(bytes.1)"
  )
  exit(0)
}

/// `TensorJSONBench --parse-float32 <file.json> [repetitions]`: CPU ns per value of reading the file's nested list
/// as the service reads an upload (the "data" member, straight to float32; lists over 1 MB on two threads), best of
/// the repetitions by process CPU time (both reader threads) and by wall time.
func measureFloat32Parse(path: String, repetitions: Int) -> Never {
  guard let input = readFile(path) else {
    print("cannot read \(path)")
    exit(2)
  }
  let body =
    Array("{\"name\":\"W\",\"data\":".utf8) + input + Array(",\"requires_grad\":true}".utf8)
  func processSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
  let clock = ContinuousClock()
  var bestCPU = Double.infinity
  var bestWall = Double.infinity
  var values = 0
  for _ in 0..<repetitions {
    let start = clock.now
    let cpuStart = processSeconds()
    guard let object = try? JSONValue.parse(body, float32Member: "data"),
      let literal = try? float32TensorLiteral(data: object["data"] ?? .null, shape: nil)
    else {
      print("cannot read \(path) as a float32 tensor")
      exit(2)
    }
    bestCPU = min(bestCPU, processSeconds() - cpuStart)
    bestWall = min(bestWall, seconds(clock.now - start))
    values = literal.values.count
  }
  let count = Double(values)
  print(
    "values \(values) cpu_ns_per_value \(bestCPU / count * 1e9) wall_ns_per_value \(bestWall / count * 1e9)"
  )
  exit(0)
}

if arguments.count >= 3 && arguments[1] == "--parse-float32" {
  measureFloat32Parse(
    path: arguments[2], repetitions: arguments.count >= 4 ? Int(arguments[3]) ?? 10 : 10)
}
if arguments.count >= 3 && arguments[1] == "--format-float32" {
  compareFloat32Formatting(
    path: arguments[2], repetitions: arguments.count >= 4 ? Int(arguments[3]) ?? 10 : 10,
    only: arguments.count >= 5 ? arguments[4] : "")
}
if arguments.count >= 2 && arguments[1] == "--verify-float32-exhaustive" {
  verifyFloat32Exhaustive(
    chunks: arguments.count >= 3 ? Int(arguments[2]) ?? 256 : 256,
    stride: arguments.count >= 4 ? UInt64(arguments[3]) ?? 1 : 1)
}
if arguments.count >= 3 && arguments[1] == "--verify-float32-stride" {
  verifyFloat32Strided(stride: UInt64(arguments[2]) ?? 1001)
}
if arguments.count >= 2 && arguments[1] == "--verify-float32-parse" {
  verifyFloat32Parse(rows: arguments.count >= 3 ? Int(arguments[2]) ?? 1000 : 1000)
}
if arguments.count >= 2 && arguments[1] == "--verify-float32" {
  verifyFloat32(stride: arguments.count >= 3 ? UInt32(arguments[2]) ?? 101 : 101)
}
guard arguments.count >= 2, let input = readFile(arguments[1]) else {
  print("usage: TensorJSONBench <file.json> [repetitions]")
  exit(2)
}
let repetitions = arguments.count >= 3 ? Int(arguments[2]) ?? 10 : 10
// Optional third argument: "decode" or "encode" repeats only that direction (for profiling).
let only = arguments.count >= 4 ? arguments[3] : ""
let clock = ContinuousClock()

// Decode as the service reads a tensor upload: the list as the "data" member of the request object, read straight
// to float32 (`float32Member`), then taken as a float32 tensor literal.
let body = Array("{\"name\":\"W\",\"data\":".utf8) + input + Array(",\"requires_grad\":true}".utf8)
var best = Double.infinity
var bestCPU = Double.infinity
var literal = Float32TensorLiteral(shape: [], values: [])
for _ in 0..<(only == "encode" ? 1 : repetitions) {
  let start = clock.now
  let cpuStart = cpuSeconds()
  do {
    let object = try JSONValue.parse(body, float32Member: "data")
    literal = try float32TensorLiteral(data: object["data"] ?? .null, shape: nil)
  } catch {
    print("decode failed: \(error)")
    exit(1)
  }
  best = min(best, seconds(clock.now - start))
  bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
}
let decodeSeconds = best
let decodeCPU = bestCPU

let floats = literal.values
var output: [UInt8] = []
best = .infinity
bestCPU = .infinity
for _ in 0..<(only == "decode" ? 1 : repetitions) {
  let start = clock.now
  let cpuStart = cpuSeconds()
  var writer = JSONWriter()
  floats.withUnsafeBufferPointer { writer.writeTensor($0, shape: literal.shape) }
  output = writer.bytes
  best = min(best, seconds(clock.now - start))
  bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
}
let encodeSeconds = best
let encodeCPU = bestCPU

// The round trip must be exact: same shape, same float32 bits.
let back = try tensorLiteral(JSONValue.parse(output))
let exact =
  back.shape == literal.shape
  && zip(back.values, floats).allSatisfy { Float($0).bitPattern == $1.bitPattern }

func mbps(_ bytes: Int, _ s: Double) -> String {
  let v = Double(bytes) / s / 1e6
  return String(Int(v.rounded()))
}
print(
  "elements \(floats.count) shape \(literal.shape) input_bytes \(input.count) output_bytes \(output.count)"
)
print("decode_seconds \(decodeSeconds)")
print("decode_MBps \(mbps(input.count, decodeSeconds))")
print("decode_cpu_MBps \(mbps(input.count, decodeCPU))")
print("encode_cpu_MBps \(mbps(output.count, encodeCPU))")
print("encode_seconds \(encodeSeconds)")
print("encode_MBps \(mbps(output.count, encodeSeconds))")
print("round_trip_exact \(exact)")
