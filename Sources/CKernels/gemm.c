#include "ckernels.h"
#include "gemm_internal.h"

#include <stdlib.h>
#include <string.h>

// Blocked GEMM in the BLIS/GotoBLAS shape: C is walked in nc-wide column panels; for each kc-deep slice of K the
// matching kc x nc panel of op(B) is packed once into nr-wide slivers, then each mc x kc block of op(A) is packed
// into mr-tall slivers, and the micro-kernel multiplies one A sliver by one B sliver into an mr x nr tile of C.
// Packing turns every transpose and leading dimension into the same contiguous layout, and zero-pads the edges so
// the micro-kernel always runs full tiles; partial tiles go through a stack buffer.

static ptrdiff_t min_pd(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }
static ptrdiff_t round_up(ptrdiff_t x, ptrdiff_t m) { return (x + m - 1) / m * m; }

static void *alloc_packed(size_t bytes) { return aligned_alloc(64, (bytes + 63) / 64 * 64); }

#define DEFINE_GEMM(NAME, T, CONFIG, CONFIGS)                                                                  \
    /* The unblocked loop, used only when the packing buffers cannot be allocated. */                         \
    static void NAME##_naive(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A,       \
                             ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) { \
        for (ptrdiff_t i = 0; i < M; i++) {                                                                    \
            T *c = C + i * ldc;                                                                                \
            if (!accumulate) memset(c, 0, (size_t)N * sizeof(T));                                              \
            for (ptrdiff_t k = 0; k < K; k++) {                                                                \
                T a = transA ? A[k * lda + i] : A[i * lda + k];                                                \
                for (ptrdiff_t j = 0; j < N; j++) c[j] += a * (transB ? B[j * ldb + k] : B[k * ldb + j]);      \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    /* One sliver: d[p * R + l] = s[p * ks + l * ls] for p < kc and l < lanes, zero for lanes <= l < R. */    \
    static inline __attribute__((always_inline)) void NAME##_pack_sliver(                                     \
        const T *restrict s, ptrdiff_t ks, ptrdiff_t ls, ptrdiff_t kc, ptrdiff_t lanes, const int R,          \
        T *restrict d) {                                                                                       \
        if (lanes == R && ls == 1) {                                                                           \
            for (ptrdiff_t p = 0; p < kc; p++)                                                                 \
                for (int l = 0; l < R; l++) d[p * R + l] = s[p * ks + l];                                      \
        } else if (lanes == R && ks == 1) {                                                                    \
            /* A transpose: read 8 contiguous values per lane, write them as 8 contiguous steps. */            \
            ptrdiff_t p = 0;                                                                                   \
            for (; p + 8 <= kc; p += 8) {                                                                      \
                T tmp[R][8];                                                                                   \
                for (int l = 0; l < R; l++)                                                                    \
                    for (int q = 0; q < 8; q++) tmp[l][q] = s[l * ls + p + q];                                 \
                for (int q = 0; q < 8; q++)                                                                    \
                    for (int l = 0; l < R; l++) d[(p + q) * R + l] = tmp[l][q];                                \
            }                                                                                                  \
            for (; p < kc; p++)                                                                                \
                for (int l = 0; l < R; l++) d[p * R + l] = s[p + l * ls];                                      \
        } else if (lanes == R) {                                                                               \
            for (ptrdiff_t p = 0; p < kc; p++)                                                                 \
                for (int l = 0; l < R; l++) d[p * R + l] = s[p * ks + l * ls];                                 \
        } else {                                                                                               \
            for (ptrdiff_t p = 0; p < kc; p++)                                                                 \
                for (int l = 0; l < R; l++) d[p * R + l] = l < lanes ? s[p * ks + l * ls] : 0;                 \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    /* Packs the rows x kc block starting at s into slivers of R lanes; a constant R lets the compiler unroll. */ \
    static void NAME##_pack(const T *s, ptrdiff_t ks, ptrdiff_t ls, ptrdiff_t rows, ptrdiff_t kc, int R,      \
                            T *restrict dst) {                                                                 \
        for (ptrdiff_t r = 0; r < rows; r += R) {                                                              \
            const T *src = s + r * ls;                                                                         \
            ptrdiff_t lanes = min_pd(R, rows - r);                                                             \
            T *d = dst + r * kc;                                                                               \
            switch (R) {                                                                                       \
            case 4: NAME##_pack_sliver(src, ks, ls, kc, lanes, 4, d); break;                                   \
            case 6: NAME##_pack_sliver(src, ks, ls, kc, lanes, 6, d); break;                                   \
            case 8: NAME##_pack_sliver(src, ks, ls, kc, lanes, 8, d); break;                                   \
            case 12: NAME##_pack_sliver(src, ks, ls, kc, lanes, 12, d); break;                                 \
            case 16: NAME##_pack_sliver(src, ks, ls, kc, lanes, 16, d); break;                                 \
            case 32: NAME##_pack_sliver(src, ks, ls, kc, lanes, 32, d); break;                                 \
            default: NAME##_pack_sliver(src, ks, ls, kc, lanes, R, d); break;                                  \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    static void NAME##_blocked(const CONFIG *cfg, int transA, int transB, ptrdiff_t M, ptrdiff_t N,           \
                               ptrdiff_t K, const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C,        \
                               ptrdiff_t ldc, int accumulate) {                                                \
        if (M <= 0 || N <= 0) return;                                                                          \
        if (K <= 0) {                                                                                          \
            if (!accumulate)                                                                                   \
                for (ptrdiff_t i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(T));               \
            return;                                                                                            \
        }                                                                                                      \
        const ptrdiff_t mr = cfg->mr, nr = cfg->nr;                                                            \
        const ptrdiff_t kc_max = min_pd(K, cfg->kc);                                                           \
        const ptrdiff_t mc_max = round_up(min_pd(M, cfg->mc), mr);                                             \
        const ptrdiff_t nc_max = round_up(min_pd(N, cfg->nc), nr);                                             \
        T *ap = alloc_packed((size_t)(mc_max * kc_max) * sizeof(T));                                           \
        T *bp = alloc_packed((size_t)(kc_max * nc_max) * sizeof(T));                                           \
        if (!ap || !bp) {                                                                                      \
            free(ap);                                                                                          \
            free(bp);                                                                                          \
            NAME##_naive(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);                         \
            return;                                                                                            \
        }                                                                                                      \
        T tile[CK_MAX_TILE] __attribute__((aligned(64)));                                                      \
        for (ptrdiff_t jc = 0; jc < N; jc += cfg->nc) {                                                        \
            ptrdiff_t nc = min_pd(cfg->nc, N - jc);                                                            \
            for (ptrdiff_t pc = 0; pc < K; pc += cfg->kc) {                                                    \
                ptrdiff_t kc = min_pd(cfg->kc, K - pc);                                                        \
                /* Later K slices add to what the first one wrote. */                                          \
                int add = accumulate || pc > 0;                                                                \
                if (transB)                                                                                     \
                    NAME##_pack(B + jc * ldb + pc, 1, ldb, nc, kc, (int)nr, bp);                               \
                else                                                                                           \
                    NAME##_pack(B + pc * ldb + jc, ldb, 1, nc, kc, (int)nr, bp);                                    \
                for (ptrdiff_t ic = 0; ic < M; ic += cfg->mc) {                                                \
                    ptrdiff_t mc = min_pd(cfg->mc, M - ic);                                                    \
                    if (transA)                                                                                 \
                        NAME##_pack(A + pc * lda + ic, lda, 1, mc, kc, (int)mr, ap);                           \
                    else                                                                                       \
                        NAME##_pack(A + ic * lda + pc, 1, lda, mc, kc, (int)mr, ap);                                \
                    for (ptrdiff_t jr = 0; jr < nc; jr += nr) {                                                \
                        ptrdiff_t nb = min_pd(nr, nc - jr);                                                    \
                        const T *b = bp + jr * kc;                                                             \
                        for (ptrdiff_t ir = 0; ir < mc; ir += mr) {                                            \
                            ptrdiff_t mb = min_pd(mr, mc - ir);                                                \
                            const T *a = ap + ir * kc;                                                         \
                            T *c = C + (ic + ir) * ldc + jc + jr;                                              \
                            if (mb == mr && nb == nr) {                                                        \
                                cfg->kernel(kc, a, b, c, ldc, add);                                            \
                                continue;                                                                      \
                            }                                                                                  \
                            cfg->kernel(kc, a, b, tile, nr, 0);                                                \
                            for (ptrdiff_t i = 0; i < mb; i++)                                                 \
                                for (ptrdiff_t j = 0; j < nb; j++)                                             \
                                    c[i * ldc + j] = add ? c[i * ldc + j] + tile[i * nr + j] : tile[i * nr + j]; \
                        }                                                                                      \
                    }                                                                                          \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
        free(ap);                                                                                              \
        free(bp);                                                                                              \
    }                                                                                                          \
                                                                                                               \
    void NAME(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A, ptrdiff_t lda,       \
              const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) {                                \
        NAME##_blocked(&CONFIGS[ck_detect_isa()], transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate); \
    }                                                                                                          \
                                                                                                               \
    int NAME##_isa(int isa, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A,        \
                   ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) {            \
        if (isa < 0 || isa > ck_detect_isa()) return 0;                                                        \
        NAME##_blocked(&CONFIGS[isa], transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);            \
        return 1;                                                                                              \
    }

DEFINE_GEMM(ck_sgemm, float, ck_sgemm_config, ck_sgemm_configs)
DEFINE_GEMM(ck_dgemm, double, ck_dgemm_config, ck_dgemm_configs)

int ck_gemm_isa(void) { return ck_detect_isa(); }

const char *ck_gemm_isa_name(int isa) {
    if (isa < 0 || isa > CK_ISA_AVX512) return "unknown";
    return ck_sgemm_configs[isa].name;
}
