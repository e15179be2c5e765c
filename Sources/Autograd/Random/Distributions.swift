#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// `torch.rand` and `torch.randn` on the CPU, draw for draw and rounding for rounding as PyTorch 2.15 computes
/// them (aten/src/ATen/core/DistributionsHelper.h, TransformationHelper.h, native/cpu/DistributionTemplates.h).
/// PyTorch adds the mean 0 after scaling by the std 1, which turns a -0.0 into +0.0; so do these.
extension RandomGenerator {
  /// `uniform_real_distribution<float>(0, 1)`: one 32-bit draw, its low 24 bits times 2^-24, in draw order.
  mutating func fillUniform(_ out: UnsafeMutableBufferPointer<Float>) {
    guard let base = out.baseAddress else { return }
    var i = 0
    engine.draw(out.count) { word in
      base[i] = Float(word & 0xFF_FFFF) * 0x1p-24
      i += 1
    }
  }

  /// `uniform_real_distribution<double>(0, 1)`: `random64()` (first draw high), its low 53 bits times 2^-53.
  mutating func fillUniform(_ out: UnsafeMutableBufferPointer<Double>) {
    guard let base = out.baseAddress else { return }
    var i = 0
    var high: UInt64 = 0
    var haveHigh = false
    engine.draw(out.count * 2) { word in
      if haveHigh {
        base[i] = Self.unitDouble(high << 32 | UInt64(word))
        i += 1
      } else {
        high = UInt64(word)
      }
      haveHigh.toggle()
    }
  }

  mutating func uniformDouble() -> Double { Self.unitDouble(random64()) }

  @inline(__always)
  static func unitDouble(_ bits: UInt64) -> Double {
    Double(bits & (1 << 53 - 1)) * 0x1p-53
  }

  /// `normal_distribution<double>(0, 1)`: Box-Muller on two double uniforms, the cosine half returned and the
  /// sine half kept for the next call (of this or a later small `randn`).
  mutating func normal() -> Double {
    if let cached = cachedNormal {
      cachedNormal = nil
      return cached + 0
    }
    let u1 = uniformDouble()
    let u2 = uniformDouble()
    let radius = (-2.0 * log1p(-u2)).squareRoot()
    let theta = 2.0 * Double.pi * u1
    cachedNormal = radius * sin(theta)
    return radius * cos(theta) + 0
  }

  /// `torch.randn` into a contiguous float32 buffer: PyTorch's `normal_kernel`.
  mutating func fillNormal(
    _ out: UnsafeMutableBufferPointer<Float>, kernel: NormalFillKernel = .current
  ) {
    guard out.count >= 16 else {
      // Fewer than 16: one double sample at a time (with the cache), rounded to float.
      for i in out.indices { out[i] = Float(normal()) }
      return
    }
    switch kernel {
    case .avx2:
      fillNormalBlocks(out, uniform: { $0.fillUniform($1) }, transform: Self.normalFill16AVX2)
    case .scalar:
      fillNormalBlocks(out, uniform: { $0.fillUniform($1) }, transform: Self.normalFill16)
    }
  }

  /// `torch.randn` into a contiguous float64 buffer (no vector kernel exists for double).
  mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Double>) {
    guard out.count >= 16 else {
      for i in out.indices { out[i] = normal() }
      return
    }
    fillNormalBlocks(out, uniform: { $0.fillUniform($1) }, transform: Self.normalFill16)
  }

  /// `normal_fill`: uniforms for every element, then Box-Muller over each block of 16 (element j pairs with
  /// j + 8); a ragged end is redone as the last 16 elements from 16 fresh uniforms. The cached normal is
  /// neither used nor cleared.
  private mutating func fillNormalBlocks<T>(
    _ out: UnsafeMutableBufferPointer<T>,
    uniform: (inout RandomGenerator, UnsafeMutableBufferPointer<T>) -> Void,
    transform: (UnsafeMutablePointer<T>) -> Void
  ) {
    guard let base = out.baseAddress else { return }
    let count = out.count
    uniform(&self, out)
    var i = 0
    while i + 16 <= count {
      transform(base + i)
      i += 16
    }
    if count % 16 != 0 {
      let tail = UnsafeMutableBufferPointer(start: base + count - 16, count: 16)
      uniform(&self, tail)
      transform(tail.baseAddress ?? base)
    }
  }

  /// `normal_fill_16<double>`.
  private static func normalFill16(_ data: UnsafeMutablePointer<Double>) {
    for j in 0..<8 {
      let u1 = 1 - data[j]
      let u2 = data[j + 8]
      let radius = (-2 * log(u1)).squareRoot()
      let theta = 2.0 * Double.pi * u2
      data[j] = radius * cos(theta) + 0
      data[j + 8] = radius * sin(theta) + 0
    }
  }

  /// `normal_fill_16<float>`, the kernel PyTorch runs without AVX2 (and with AVX-512): libm's float log, cos and
  /// sin; the angle computed in double (`2.0f * pi<double> * u2`) and then rounded to float.
  private static func normalFill16(_ data: UnsafeMutablePointer<Float>) {
    for j in 0..<8 {
      let u1 = 1 - data[j]
      let u2 = data[j + 8]
      let radius = (-2 * logf(u1)).squareRoot()
      let theta = Float(2.0 * Double.pi * Double(u2))
      data[j] = radius * cosf(theta) + 0
      data[j + 8] = radius * sinf(theta) + 0
    }
  }

  /// `normal_fill_16_AVX2`: the same transform through avx_mathfun.h's polynomial log and sincos, in float,
  /// lane by lane (every lane is independent).
  private static func normalFill16AVX2(_ data: UnsafeMutablePointer<Float>) {
    let raw = UnsafeRawPointer(data)
    let u1 = 1 - raw.loadUnaligned(as: AVXMathFun.Floats.self)
    let u2 = raw.loadUnaligned(fromByteOffset: 32, as: AVXMathFun.Floats.self)
    let radius = (-2 * AVXMathFun.log(u1)).squareRoot()
    let (sine, cosine) = AVXMathFun.sincos(Float(2.0 * Double.pi) * u2)
    let out = UnsafeMutableRawPointer(data)
    out.storeBytes(of: radius * cosine + 0, as: AVXMathFun.Floats.self)
    out.storeBytes(of: radius * sine + 0, toByteOffset: 32, as: AVXMathFun.Floats.self)
  }
}

/// Which float32 `normal_fill` PyTorch runs on this machine. The AVX2 build of its kernels uses avx_mathfun.h's
/// approximations and a float angle; the default and AVX-512 builds use libm and an angle rounded from double. The
/// two disagree in about 38% of elements, typically by 1-2 ulp (at most 2.1e-6 absolute over a million values).
/// PyTorch picks its build per process from the CPU (AVX-512 when avx512vl/bw/dq and FMA are there, else AVX2
/// when AVX2 and FMA are) or from `ATEN_CPU_CAPABILITY`; this follows the same rule, so a server matches the
/// PyTorch running on its own machine.
enum NormalFillKernel: Sendable {
  case avx2
  case scalar

  static let current: NormalFillKernel = detect()

  private static func detect() -> NormalFillKernel {
    #if arch(x86_64)
      if let forced = getenv("ATEN_CPU_CAPABILITY").map({ String(cString: $0) }) {
        switch forced {
        case "default", "avx512": return .scalar
        case "avx2": return .avx2
        default: break  // PyTorch warns and ignores other values
        }
      }
      guard let flags = cpuFlags() else { return .avx2 }
      if flags.isSuperset(of: ["avx512vl", "avx512bw", "avx512dq", "fma"]) { return .scalar }
      return flags.isSuperset(of: ["avx2", "fma"]) ? .avx2 : .scalar
    #else
      return .scalar
    #endif
  }

  /// The first `flags` line of /proc/cpuinfo (Linux lists only what the kernel has enabled).
  private static func cpuFlags() -> Set<Substring>? {
    guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0 {
      guard let line else { break }
      let text = String(cString: line)
      guard text.hasPrefix("flags") else { continue }
      let values = text.split(separator: ":", maxSplits: 1).last ?? ""
      return Set(values.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }))
    }
    return nil
  }
}
