// Measures TensorJSON on a tensor-sized body: `TensorJSONBench <file.json> [repetitions]` parses the file (a nested
// float32 tensor, as orjson writes it), reads it as a tensor literal, writes it back as float32, and prints the
// best MB/s of each direction. `scripts/bench-json.sh` runs it next to orjson on the same file.
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
