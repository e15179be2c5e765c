#include "gemm_internal.h"

// Micro-kernels, one instance per instruction set, written once with the compiler's vector extensions. Each
// instance is compiled for its own target through __attribute__((target(...))), so the rest of the library (and
// the binary) stays at the portable x86-64 baseline; ck_detect_isa picks the instance at run time.
//
// Why explicit dispatch rather than target_clones: target_clones compiles one body several times with the same
// constants, but the best register tile differs per ISA (6x16 floats with 16 ymm registers, 12x32 with 32 zmm
// registers), and it resolves through an ifunc, which needs glibc's loader (musl, used by Swift's static Linux SDK,
// has none). A function pointer chosen once costs one indirect call per tile, and lets tests force every path.
//
// The tile lives in MR * NV vector accumulators; clang fully unrolls the constant-bound loops and keeps them in
// registers. Each k step loads NV vectors of B and broadcasts MR values of A: MR * NV fused multiply-adds.

#define CK_UNROLL _Pragma("clang loop unroll(full)")

#define DEFINE_UKERNEL(NAME, T, W, MR, NV, ATTR)                                                      \
    typedef T NAME##_vec __attribute__((vector_size((W) * sizeof(T)), aligned(sizeof(T))));          \
    ATTR static void NAME(ptrdiff_t kc, const T *restrict a, const T *restrict b, T *restrict c,      \
                          ptrdiff_t ldc, int add) {                                                   \
        NAME##_vec acc[MR][NV];                                                                       \
        CK_UNROLL for (int i = 0; i < (MR); i++) CK_UNROLL for (int j = 0; j < (NV); j++)             \
            acc[i][j] = (NAME##_vec){0};                                                              \
        /* C is touched only after the loop; start its lines on their way now. */                     \
        CK_UNROLL for (int i = 0; i < (MR); i++) {                                                    \
            __builtin_prefetch(c + i * ldc, 1);                                                       \
            __builtin_prefetch(c + i * ldc + (NV) * (W) - 1, 1);                                      \
        }                                                                                             \
        /* Two k steps per iteration: 10-15% faster on float and double here with kc up to 1024 and */ \
        /* the B prefetch (unrolling had measured within the noise at kc 512 without it); 4: no better. */ \
        _Pragma("clang loop unroll_count(2)")                                                         \
        for (ptrdiff_t p = 0; p < kc; p++) {                                                          \
            /* B comes from L2 when its sliver outgrows L1 (kc above 512 floats): ask 8 lines ahead. */  \
            __builtin_prefetch(b + 8 * (NV) * (W), 0, 3);                                             \
            NAME##_vec bv[NV];                                                                        \
            CK_UNROLL for (int j = 0; j < (NV); j++) bv[j] = *(const NAME##_vec *)(b + j * (W));      \
            CK_UNROLL for (int i = 0; i < (MR); i++) {                                                \
                T ai = a[i];                                                                          \
                CK_UNROLL for (int j = 0; j < (NV); j++) acc[i][j] += bv[j] * ai;                     \
            }                                                                                         \
            a += (MR);                                                                                \
            b += (NV) * (W);                                                                          \
        }                                                                                             \
        if (add) {                                                                                    \
            CK_UNROLL for (int i = 0; i < (MR); i++) CK_UNROLL for (int j = 0; j < (NV); j++)         \
                *(NAME##_vec *)(c + i * ldc + j * (W)) += acc[i][j];                                  \
        } else {                                                                                      \
            CK_UNROLL for (int i = 0; i < (MR); i++) CK_UNROLL for (int j = 0; j < (NV); j++)         \
                *(NAME##_vec *)(c + i * ldc + j * (W)) = acc[i][j];                                   \
        }                                                                                             \
    }

// Portable baseline: 16 SSE2 (or NEON) registers of 128 bits.
DEFINE_UKERNEL(s_generic, float, 4, 6, 2, )
DEFINE_UKERNEL(d_generic, double, 2, 6, 2, )

#if defined(__x86_64__) || defined(__i386__)
// 16 ymm registers: 12 accumulators, 2 B vectors, 1 broadcast.
DEFINE_UKERNEL(s_avx2, float, 8, 6, 2, __attribute__((target("avx2,fma"))))
DEFINE_UKERNEL(d_avx2, double, 4, 6, 2, __attribute__((target("avx2,fma"))))
// 32 zmm registers: 24 accumulators, 2 B vectors, 1 broadcast.
DEFINE_UKERNEL(s_avx512, float, 16, 12, 2, __attribute__((target("avx512f"))))
DEFINE_UKERNEL(d_avx512, double, 8, 12, 2, __attribute__((target("avx512f"))))
#define CK_S_AVX2 s_avx2
#define CK_D_AVX2 d_avx2
#define CK_S_AVX512 s_avx512
#define CK_D_AVX512 d_avx512
#else
#define CK_S_AVX2 s_generic
#define CK_D_AVX2 d_generic
#define CK_S_AVX512 s_generic
#define CK_D_AVX512 d_generic
#endif

// Block sizes: an mc x kc block of A within half of a 512 KiB L2, a kc x nr sliver of B within a 32 KiB L1
// (float AVX2 measured best at 144 x 512 on a Zen 3 EPYC, 1024^3, single thread; again on 2026-11-28 against
// kc 256/384 with mc 72-288, single thread and shared by two). The driver takes the whole K as one slice up to
// twice kc, with mc scaled down to keep the A block's size.
const ck_sgemm_config ck_sgemm_configs[3] = {
    [CK_ISA_GENERIC] = {"generic", 6, 8, 96, 256, s_generic},
    [CK_ISA_AVX2] = {"avx2", 6, 16, 144, 512, CK_S_AVX2},
    [CK_ISA_AVX512] = {"avx512", 12, 32, 144, 384, CK_S_AVX512},
};

const ck_dgemm_config ck_dgemm_configs[3] = {
    [CK_ISA_GENERIC] = {"generic", 6, 4, 96, 256, d_generic},
    [CK_ISA_AVX2] = {"avx2", 6, 8, 72, 512, CK_D_AVX2},
    [CK_ISA_AVX512] = {"avx512", 12, 16, 144, 256, CK_D_AVX512},
};
