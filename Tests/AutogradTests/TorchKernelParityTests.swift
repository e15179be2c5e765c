import Testing

@testable import Autograd

/// float32 activations bit for bit as PyTorch 2.15 computes them on an AVX2 CPU (vectorised body, scalar tail,
/// oneDNN for gelu). Inputs are `arange(n) * step + lo` in float32 and the gradient `(arange(n) % 13) * 0.125 - 0.75`;
/// the expected values are FNV-1a hashes of the output's and the gradient's float32 bit patterns, computed from
/// PyTorch's own results. Sizes cross the 16-element vector blocks (1, 15, 16, 17, 33) and stay below the 32768
/// elements from which PyTorch splits the work among threads, so the numbers do not depend on the core count.
@Suite struct TorchKernelParityTests {
  static let cases: [(String, Int, Double, Double, UInt64, UInt64)] = [
    ("sigmoid", 1, -20.0, 40.0, 0xbcc7_ae9f_dfc2_8a62, 0x8396_00c5_fe93_216b),
    ("sigmoid", 15, -20.0, 2.6666667461395264, 0xdf22_0405_d387_eaad, 0x7bfc_5bc7_3d08_b89f),
    ("sigmoid", 16, -20.0, 2.5, 0x6adf_ec9d_9906_e9ea, 0x6865_8446_5fca_4be7),
    ("sigmoid", 17, -20.0, 2.3529412746429443, 0x182b_94d3_5969_035d, 0x320e_988b_8d4e_15e5),
    ("sigmoid", 33, -20.0, 1.2121212482452393, 0x5e7e_a1d1_098c_8aea, 0xdcf9_3fa4_d832_52b4),
    ("sigmoid", 1000, -20.0, 0.03999999910593033, 0x4bbd_7553_fc06_11c9, 0xe7ff_79ad_fea4_3677),
    ("sigmoid", 20000, -20.0, 0.0020000000949949026, 0xe0bf_e6ad_c083_8fad, 0x5935_e7fe_be8c_a905),
    ("silu", 1, -20.0, 40.0, 0xa06e_fcc9_9597_d59f, 0x6baf_f7a2_bbf7_3e6d),
    ("silu", 15, -20.0, 2.6666667461395264, 0x0cf9_3fbd_2563_23ce, 0xff6b_7606_2b41_03e4),
    ("silu", 16, -20.0, 2.5, 0x5d82_849c_a2ef_d017, 0x08e6_f639_aad9_0ace),
    ("silu", 17, -20.0, 2.3529412746429443, 0x708e_5804_01c1_0a42, 0x0319_d75f_a47f_a188),
    ("silu", 33, -20.0, 1.2121212482452393, 0xb43e_402a_1dd2_14f6, 0xece5_4a16_fda8_7ec2),
    ("silu", 1000, -20.0, 0.03999999910593033, 0xb9ee_4a18_abb0_d2f2, 0xfcbd_fd95_6dec_31f6),
    ("silu", 20000, -20.0, 0.0020000000949949026, 0x4251_2cd8_e3ef_b62c, 0xa4f3_befa_726b_3237),
    ("softplus", 1, -30.0, 60.0, 0x7dd4_bb93_8fcb_b779, 0x496a_f8b9_b6bc_02d3),
    ("softplus", 15, -30.0, 4.0, 0x440b_9593_b28e_b24c, 0x7bab_1541_af32_da70),
    ("softplus", 16, -30.0, 3.75, 0x0022_51e4_c5ee_fc44, 0x716e_f983_d7c2_5a44),
    ("softplus", 17, -30.0, 3.529411792755127, 0xb9e8_11a1_c332_0c53, 0x461d_4c55_cc28_f4af),
    ("softplus", 33, -30.0, 1.8181818723678589, 0x5378_04ff_737b_4335, 0x663d_9070_6d14_a8c7),
    ("softplus", 1000, -30.0, 0.05999999865889549, 0xa014_1e58_4deb_b392, 0xf73e_c4dd_691e_dbc9),
    ("softplus", 20000, -30.0, 0.003000000026077032, 0xdb24_1584_baf3_3ca9, 0x9792_9d27_082a_e1cb),
    ("gelu", 1, -12.0, 24.0, 0xaf63_bc73_0601_b7df, 0xe622_fd53_af08_b19f),
    ("gelu", 15, -12.0, 1.600000023841858, 0x5ed1_45f8_6937_c449, 0x063f_f74b_625e_304e),
    ("gelu", 16, -12.0, 1.5, 0xd4f5_711d_690c_89a3, 0xd1cd_4f8c_d212_9fa3),
    ("gelu", 17, -12.0, 1.4117647409439087, 0x6d9e_d6aa_65b3_a63e, 0x320d_fb36_ea35_21f8),
    ("gelu", 33, -12.0, 0.7272727489471436, 0x42a4_96e6_7bce_4e44, 0xdedb_385c_f94a_999c),
    ("gelu", 1000, -12.0, 0.024000000208616257, 0x0875_97ab_53ab_7d70, 0x6e6f_7bb2_7696_f1d4),
    ("gelu", 20000, -12.0, 0.0012000000569969416, 0x2b77_f084_f577_b05c, 0xc26a_1d2b_0f3d_7fb1),
    ("rsqrt", 1, 0.001, 100.0, 0x6c18_ecbc_39a9_96bc, 0xa8a9_9ab5_d493_6e66),
    ("rsqrt", 15, 0.001, 6.666666507720947, 0xe066_bf35_2bae_fab1, 0xdc6a_1623_c0e7_bebc),
    ("rsqrt", 16, 0.001, 6.25, 0xd617_afe0_486a_bf80, 0x1112_d9ab_98ba_4f0b),
    ("rsqrt", 17, 0.001, 5.882352828979492, 0xb409_1233_a8a4_1237, 0x70b2_37d0_37ec_8a67),
    ("rsqrt", 33, 0.001, 3.0303030014038086, 0x6619_492d_b176_7fcd, 0x3183_f20f_0f9b_f191),
    ("rsqrt", 1000, 0.001, 0.10000000149011612, 0x4fc0_41ca_62dd_ae0f, 0x75f0_bd92_c55f_72c0),
    ("rsqrt", 20000, 0.001, 0.004999999888241291, 0xdc11_f7dd_c484_d679, 0x7c17_cd5c_f745_a914),
  ]

  @Test(arguments: 0..<cases.count) func forwardAndBackwardBitsArePyTorchs(_ index: Int) throws {
    let (name, n, lo, step, forwardHash, backwardHash) = Self.cases[index]
    let inputs = (0..<n).map { i -> Double in
      let scaled = Float(i) * Float(step)
      return Double(scaled + Float(lo))
    }
    let x = try Tensor(shape: [n], doubles: inputs, requiresGrad: true)
    let y = try op(name, .tensor(x))
    let g = try Tensor(shape: [n], doubles: (0..<n).map { Double(Float($0 % 13) * 0.125 - 0.75) })
    try y.backward(gradient: g)
    #expect(Self.hash(values(y)) == forwardHash, "\(name) forward, n = \(n)")
    #expect(Self.hash(values(x.grad)) == backwardHash, "\(name) backward, n = \(n)")
  }

  @Test func tanhBackwardFusesOneMinusTheSquare() {
    // torch.ops.aten.tanh_backward(ones, y): 1 - y * y rounded once, not twice.
    let oneMinusSquare = Elementwise.fusedOneMinusSquare(.float32)
    #expect(oneMinusSquare(0.5152631998062134) == 0.7345038056373596)
    #expect(oneMinusSquare(0.46936893463134766) == 0.7796928286552429)
    #expect(oneMinusSquare(-0.9414368867874146) == 0.11369659006595612)
  }

  @Test func largeTensorsSplitLikeATenParallelFor() {
    // at::parallel_for(0, n, 32768) with 2 threads: chunks of ceil(n / 2), each with its own vector tail.
    #expect(TorchLoop.pieces(100_003, threads: 2) == [0..<50_002, 50_002..<100_003])
    #expect(TorchLoop.pieces(32_767, threads: 2) == [0..<32_767])
    #expect(TorchLoop.pieces(40_000, threads: 4) == [0..<20_000, 20_000..<40_000])
    #expect(TorchLoop.pieces(100_000, threads: 1) == [0..<100_000])
  }

  @Test func rsqrtRoundsTheSquareRootFirst() throws {
    // torch.rsqrt(torch.tensor([3.0, 7.0, 1e-3])): 1 / sqrtf(x), two roundings.
    let x = try Tensor(shape: [3], doubles: [3, 7, Double(Float(1e-3))])
    #expect(
      values(try op("rsqrt", .tensor(x))) == [
        0.5773502588272095, 0.37796449661254883, 31.622774124145508,
      ])
  }

  private static func hash(_ values: [Double]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in values {
      h ^= UInt64(Float(v).bitPattern)
      h = h &* 0x100_0000_01b3
    }
    return h
  }
}
