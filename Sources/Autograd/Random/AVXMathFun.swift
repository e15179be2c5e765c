/// One lane of `log256_ps` and `sincos256_ps` from PyTorch's aten/src/ATen/native/cpu/avx_mathfun.h (Cephes
/// polynomials, after Julien Pommier's sse_mathfun), which `torch.randn` uses for float32 on AVX2 machines.
///
/// PyTorch's wheels are built with GCC, which contracts a multiply feeding an add into one FMA (its default
/// `-ffp-contract=fast` applies to the `_mm256_mul_ps`/`_mm256_add_ps` vector expressions too). The
/// `addingProduct` calls below are exactly the pairs GCC fuses; the other products round on their own. Checked
/// bit for bit against torch 2.15 on millions of samples (see Tests/AutogradTests/RandomTests.swift).
/// Constants are written as C does: a double literal rounded to float.
enum AVXMathFun {
  private static func f(_ value: Double) -> Float { Float(value) }

  private static let sqrtHalf = f(0.707106781186547524)
  private static let logP: [Float] = [
    7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
    -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1,
  ].map(f)
  private static let logQ1 = f(-2.12194440e-4)
  private static let logQ2 = f(0.693359375)

  /// `log256_ps`: NaN for x <= 0, denormals read as the smallest normal.
  @inline(__always)
  static func log(_ input: Float) -> Float {
    guard input > 0 else { return Float(bitPattern: 0xFFFF_FFFF) }
    var x = max(input, Float(bitPattern: 0x0080_0000))
    let exponent = Int32(bitPattern: x.bitPattern >> 23) - 0x7F
    // Keep the mantissa, with the exponent of 0.5: x in [0.5, 1).
    x = Float(bitPattern: (x.bitPattern & ~0x7F80_0000) | Float(0.5).bitPattern)
    var e = Float(exponent) + 1
    let below = x < sqrtHalf
    let tmp: Float = below ? x : 0
    x = x - 1
    e = e - (below ? 1 : 0)
    x = x + tmp
    let z = x * x
    var y = logP[0]
    for k in 1..<9 { y = logP[k].addingProduct(y, x) }
    y = y * x
    y = (e * logQ1).addingProduct(y, z)
    y = y.addingProduct(-z, 0.5)
    return (x + y).addingProduct(e, logQ2)
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
  static func sincos(_ input: Float) -> (sin: Float, cos: Float) {
    var signSin = input.bitPattern & 0x8000_0000
    var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
    var y = x * fourOverPi
    // cvttps: truncation, and the "integer indefinite" 0x80000000 out of range (also for NaN).
    var j = y < 2_147_483_648 && y >= 0 ? Int32(y) : Int32.min
    j = (j &+ 1) & ~1
    y = Float(j)
    let swapSignSin = UInt32(bitPattern: (j & 4) << 29)
    let firstPolynomial = (j & 2) == 0
    x = x.addingProduct(y, minusDP1)
    x = x.addingProduct(y, minusDP2)
    x = x.addingProduct(y, minusDP3)
    let signCos = UInt32(bitPattern: (~(j &- 2) & 4) << 29)
    signSin ^= swapSignSin

    let z = x * x
    var c = cosP1.addingProduct(cosP0, z)
    c = cosP2.addingProduct(c, z)
    c = c * z
    c = (-(z * 0.5)).addingProduct(c, z)
    c = c + 1

    var s = sinP1.addingProduct(sinP0, z)
    s = sinP2.addingProduct(s, z)
    s = s * z
    s = x.addingProduct(s, x)

    // The blend, with its -0.0 + 0.0 behaviour: and/andnot give +0.0 in the lanes they drop.
    let sinFromSine: Float = firstPolynomial ? s : 0
    let sinFromCosine: Float = firstPolynomial ? 0 : c
    s = s - sinFromSine
    c = c - sinFromCosine
    let sine = sinFromCosine + sinFromSine
    let cosine = c + s
    return (
      Float(bitPattern: sine.bitPattern ^ signSin), Float(bitPattern: cosine.bitPattern ^ signCos)
    )
  }
}
