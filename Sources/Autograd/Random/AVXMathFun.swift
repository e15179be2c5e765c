/// `log256_ps` and `sincos256_ps` from PyTorch's aten/src/ATen/native/cpu/avx_mathfun.h (Cephes polynomials, after
/// Julien Pommier's sse_mathfun), which `torch.randn` uses for float32 on AVX2 machines, on the same 8 lanes.
///
/// PyTorch's wheels are built with GCC, which contracts a multiply feeding an add into one FMA (its default
/// `-ffp-contract=fast` applies to the `_mm256_mul_ps`/`_mm256_add_ps` vector expressions too). The `fma` calls
/// below are exactly the pairs GCC fuses; the other products round on their own. Constants are written as C does:
/// a double literal rounded to float. Checked bit for bit against torch 2.15 on millions of samples
/// (Tests/AutogradTests/RandomTests.swift).
enum AVXMathFun {
  typealias Floats = SIMD8<Float>
  typealias Doubles = SIMD8<Double>
  typealias Words = SIMD8<UInt32>

  /// a * b + c rounded once, as the FMA instruction does, without libm's `fmaf` (Swift targets x86-64 without
  /// FMA, so `addingProduct` is a call, and a chain of them was most of the time). The product of two floats is
  /// exact in a double; the sum is rounded to odd there (the TwoSum error says which neighbour is odd), and a
  /// double has more than 2 x 24 + 2 bits, so rounding that to float is correctly rounded.
  @inline(__always)
  static func fma(_ a: Floats, _ b: Floats, _ c: Floats) -> Floats {
    let product = Doubles(a) * Doubles(b)
    let addend = Doubles(c)
    let sum = product + addend
    let back = sum - product
    let error = (product - (sum - back)) + (addend - back)
    let bits = unsafeBitCast(sum, to: SIMD8<UInt64>.self)
    // Inexact with an even last bit: one ulp toward the exact value.
    let step = (~bits & 1).replacing(with: 0, where: error .== 0)
    let towardLarger = .!((error .> 0) .^ (sum .> 0))
    let odd = (bits &- step).replacing(with: bits &+ step, where: towardLarger)
    return Floats(unsafeBitCast(odd, to: Doubles.self))
  }

  @inline(__always)
  static func fma(_ a: Floats, _ b: Float, _ c: Floats) -> Floats {
    fma(a, Floats(repeating: b), c)
  }

  @inline(__always)
  static func fma(_ a: Floats, _ b: Floats, _ c: Float) -> Floats {
    fma(a, b, Floats(repeating: c))
  }

  private static func f(_ value: Double) -> Float { Float(value) }

  private static let sqrtHalf = f(0.707106781186547524)
  private static let logP0 = f(7.0376836292E-2)
  private static let logP1 = f(-1.1514610310E-1)
  private static let logP2 = f(1.1676998740E-1)
  private static let logP3 = f(-1.2420140846E-1)
  private static let logP4 = f(1.4249322787E-1)
  private static let logP5 = f(-1.6668057665E-1)
  private static let logP6 = f(2.0000714765E-1)
  private static let logP7 = f(-2.4999993993E-1)
  private static let logP8 = f(3.3333331174E-1)
  private static let logQ1 = f(-2.12194440e-4)
  private static let logQ2 = f(0.693359375)

  /// `log256_ps`: NaN for x <= 0, denormals read as the smallest normal.
  @inline(__always)
  static func log(_ input: Floats) -> Floats {
    let invalid = input .<= 0
    let smallestNormal = Float(bitPattern: 0x0080_0000)
    var x = input.replacing(with: smallestNormal, where: .!(input .> smallestNormal))
    var bits = unsafeBitCast(x, to: Words.self)
    let exponent = SIMD8<Int32>(truncatingIfNeeded: bits &>> 23) &- 0x7F
    // Keep the mantissa, with the exponent of 0.5: x in [0.5, 1).
    bits = (bits & ~0x7F80_0000) | Float(0.5).bitPattern
    x = unsafeBitCast(bits, to: Floats.self)
    var e = Floats(exponent) + 1
    let below = x .< sqrtHalf
    let tmp = Floats(repeating: 0).replacing(with: x, where: below)
    x = x - 1
    e = e - Floats(repeating: 0).replacing(with: 1, where: below)
    x = x + tmp
    let z = x * x
    var y = fma(Floats(repeating: logP0), x, logP1)
    y = fma(y, x, logP2)
    y = fma(y, x, logP3)
    y = fma(y, x, logP4)
    y = fma(y, x, logP5)
    y = fma(y, x, logP6)
    y = fma(y, x, logP7)
    y = fma(y, x, logP8)
    y = y * x
    y = fma(y, z, e * logQ1)
    y = fma(-z, 0.5, y)
    let result = fma(e, logQ2, x + y)
    return result.replacing(with: Float(bitPattern: 0xFFFF_FFFF), where: invalid)
  }

  private static let minusDP1 = f(-0.78515625)
  private static let minusDP2 = f(-2.4187564849853515625e-4)
  private static let minusDP3 = f(-3.77489497744594108e-8)
  private static let sinP0 = f(-1.9515295891E-4)
  private static let sinP1 = f(8.3321608736E-3)
  private static let sinP2 = f(-1.6666654611E-1)
  private static let cosP0 = f(2.443315711809948E-005)
  private static let cosP1 = f(-1.388731625493765E-003)
  private static let cosP2 = f(4.166664568298827E-002)
  private static let fourOverPi = f(1.27323954473516)

  /// `sincos256_ps`: (sine, cosine), both polynomials evaluated and blended with the same adds and masks.
  @inline(__always)
  static func sincos(_ input: Floats) -> (sin: Floats, cos: Floats) {
    let inputBits = unsafeBitCast(input, to: Words.self)
    var signSin = inputBits & 0x8000_0000
    var x = unsafeBitCast(inputBits & 0x7FFF_FFFF, to: Floats.self)
    var y = x * fourOverPi
    // cvttps: truncation, and the "integer indefinite" 0x80000000 out of range (also for NaN). Lane by lane:
    // SIMD8<Int32>(SIMD8<Float>) takes a slow generic path.
    var j = SIMD8<Int32>()
    for k in 0..<8 {
      let v = y[k]
      j[k] = v < 2_147_483_648 && v >= 0 ? Int32(v) : Int32.min
    }
    j = (j &+ 1) & ~1
    y = Floats(j)
    let swapSignSin = Words(truncatingIfNeeded: (j & 4) &<< 29)
    let firstPolynomial = (j & 2) .== 0
    x = fma(y, minusDP1, x)
    x = fma(y, minusDP2, x)
    x = fma(y, minusDP3, x)
    let signCos = Words(truncatingIfNeeded: (~(j &- 2) & 4) &<< 29)
    signSin ^= swapSignSin

    let z = x * x
    var c = fma(Floats(repeating: cosP0), z, cosP1)
    c = fma(c, z, cosP2)
    c = c * z
    c = fma(c, z, -(z * 0.5))
    c = c + 1

    var s = fma(Floats(repeating: sinP0), z, sinP1)
    s = fma(s, z, sinP2)
    s = s * z
    s = fma(s, x, x)

    // The blend, with its -0.0 + 0.0 behaviour: and/andnot give +0.0 in the lanes they drop.
    let zero = Floats(repeating: 0)
    let sinFromSine = zero.replacing(with: s, where: firstPolynomial)
    let sinFromCosine = c.replacing(with: 0, where: firstPolynomial)
    s = s - sinFromSine
    c = c - sinFromCosine
    let sine = sinFromCosine + sinFromSine
    let cosine = c + s
    return (
      unsafeBitCast(unsafeBitCast(sine, to: Words.self) ^ signSin, to: Floats.self),
      unsafeBitCast(unsafeBitCast(cosine, to: Words.self) ^ signCos, to: Floats.self)
    )
  }
}
