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

func seconds(_ duration: Duration) -> Double {
  let (s, attoseconds) = duration.components
  return Double(s) + Double(attoseconds) * 1e-18
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let input = readFile(arguments[1]) else {
  print("usage: TensorJSONBench <file.json> [repetitions]")
  exit(2)
}
let repetitions = arguments.count >= 3 ? Int(arguments[2]) ?? 10 : 10
let clock = ContinuousClock()

var best = Double.infinity
var literal = TensorLiteral(shape: [], values: [])
for _ in 0..<repetitions {
  let start = clock.now
  do {
    literal = try tensorLiteral(JSONValue.parse(input))
  } catch {
    print("decode failed: \(error)")
    exit(1)
  }
  best = min(best, seconds(clock.now - start))
}
let decodeSeconds = best

let floats = literal.values.map { Float($0) }
var output: [UInt8] = []
best = .infinity
for _ in 0..<repetitions {
  let start = clock.now
  var writer = JSONWriter()
  floats.withUnsafeBufferPointer { writer.writeTensor($0, shape: literal.shape) }
  output = writer.bytes
  best = min(best, seconds(clock.now - start))
}
let encodeSeconds = best

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
print("encode_seconds \(encodeSeconds)")
print("encode_MBps \(mbps(output.count, encodeSeconds))")
print("round_trip_exact \(exact)")
