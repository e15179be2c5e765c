#include "ckernels_copy.h"
#include "gemm_internal.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { MAX_RANK = 64, BLOCK = 32 };

// A transposed view read element by element touches a new cache line per element; 32x32 blocks keep the lines of
// both sides resident while a block is copied, so each line is fetched once.
#define TILED_COPY(T)                                                                                        \
    static void tiled_##T(ptrdiff_t rows, ptrdiff_t cols, T *d, ptrdiff_t dr, ptrdiff_t dc, const T *s,     \
                          ptrdiff_t sr, ptrdiff_t sc) {                                                      \
        for (ptrdiff_t i0 = 0; i0 < rows; i0 += BLOCK) {                                                     \
            ptrdiff_t i1 = i0 + BLOCK < rows ? i0 + BLOCK : rows;                                            \
            for (ptrdiff_t j0 = 0; j0 < cols; j0 += BLOCK) {                                                 \
                ptrdiff_t j1 = j0 + BLOCK < cols ? j0 + BLOCK : cols;                                        \
                for (ptrdiff_t i = i0; i < i1; i++)                                                          \
                    for (ptrdiff_t j = j0; j < j1; j++) d[i * dr + j * dc] = s[i * sr + j * sc];             \
            }                                                                                                \
        }                                                                                                    \
    }
TILED_COPY(uint32_t)
TILED_COPY(uint64_t)

#if defined(__x86_64__)
// dst[i][j] = src[j][i] for 8x8 floats: dst rows are contiguous, and so are src "columns" (sr == 1). Shuffles
// move bits without interpreting them, so NaN payloads survive.
__attribute__((target("avx2"))) static void transpose8(float *d, ptrdiff_t dr, const float *s, ptrdiff_t sc) {
    __m256 r0 = _mm256_loadu_ps(s + 0 * sc), r1 = _mm256_loadu_ps(s + 1 * sc);
    __m256 r2 = _mm256_loadu_ps(s + 2 * sc), r3 = _mm256_loadu_ps(s + 3 * sc);
    __m256 r4 = _mm256_loadu_ps(s + 4 * sc), r5 = _mm256_loadu_ps(s + 5 * sc);
    __m256 r6 = _mm256_loadu_ps(s + 6 * sc), r7 = _mm256_loadu_ps(s + 7 * sc);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    _mm256_storeu_ps(d + 0 * dr, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(d + 1 * dr, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(d + 2 * dr, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(d + 3 * dr, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(d + 4 * dr, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(d + 5 * dr, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(d + 6 * dr, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(d + 7 * dr, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// The transposed 4-byte case (dc == 1, sr == 1): whole 8x8 tiles by AVX2 within 32x32 blocks, edges scalar.
__attribute__((target("avx2"))) static void transposed_avx2(ptrdiff_t rows, ptrdiff_t cols, float *d, ptrdiff_t dr,
                                                           const float *s, ptrdiff_t sc) {
    ptrdiff_t rows8 = rows / 8 * 8, cols8 = cols / 8 * 8;
    for (ptrdiff_t i0 = 0; i0 < rows8; i0 += BLOCK) {
        ptrdiff_t i1 = i0 + BLOCK < rows8 ? i0 + BLOCK : rows8;
        for (ptrdiff_t j0 = 0; j0 < cols8; j0 += BLOCK) {
            ptrdiff_t j1 = j0 + BLOCK < cols8 ? j0 + BLOCK : cols8;
            for (ptrdiff_t i = i0; i < i1; i += 8)
                for (ptrdiff_t j = j0; j < j1; j += 8) transpose8(d + i * dr + j, dr, s + j * sc + i, sc);
        }
    }
    uint32_t *du = (uint32_t *)d;
    const uint32_t *su = (const uint32_t *)s;
    if (cols8 < cols) tiled_uint32_t(rows8, cols - cols8, du + cols8, dr, 1, su + cols8 * sc, 1, sc);
    if (rows8 < rows) tiled_uint32_t(rows - rows8, cols, du + rows8 * dr, dr, 1, su + rows8, 1, sc);
}
#endif

static void copy2d(size_t elem, ptrdiff_t rows, ptrdiff_t cols, char *d, ptrdiff_t dr, ptrdiff_t dc, const char *s,
                   ptrdiff_t sr, ptrdiff_t sc) {
    if (dc == 1 && sc == 1) {
        for (ptrdiff_t i = 0; i < rows; i++)
            memcpy(d + i * dr * (ptrdiff_t)elem, s + i * sr * (ptrdiff_t)elem, (size_t)cols * elem);
        return;
    }
    if (elem == 4) {
#if defined(__x86_64__)
        if (dc == 1 && sr == 1 && sc != 0 && ck_detect_isa() >= CK_ISA_AVX2) {
            transposed_avx2(rows, cols, (float *)d, dr, (const float *)s, sc);
            return;
        }
#endif
        tiled_uint32_t(rows, cols, (uint32_t *)d, dr, dc, (const uint32_t *)s, sr, sc);
    } else {
        tiled_uint64_t(rows, cols, (uint64_t *)d, dr, dc, (const uint64_t *)s, sr, sc);
    }
}

void ck_copy_strided(size_t elem, int rank, const ptrdiff_t *shape, void *dst, const ptrdiff_t *dst_strides,
                     const void *src, const ptrdiff_t *src_strides, ptrdiff_t part, ptrdiff_t parts) {
    if (rank < 0 || rank > MAX_RANK || parts < 1 || part < 0 || part >= parts) return;
    // Merge each dim into the one inside it when both views step over it as one run; drop size-1 dims.
    ptrdiff_t n[MAX_RANK + 2], ds[MAX_RANK + 2], ss[MAX_RANK + 2];
    int r = 0;
    for (int k = 0; k < rank; k++) {
        if (shape[k] == 0) return;
        if (shape[k] == 1) continue;
        n[r] = shape[k];
        ds[r] = dst_strides[k];
        ss[r] = src_strides[k];
        r++;
    }
    int m = 0;
    for (int k = 0; k < r; k++) {
        if (m > 0 && ds[m - 1] == ds[k] * n[k] && ss[m - 1] == ss[k] * n[k]) {
            n[m - 1] *= n[k];
            ds[m - 1] = ds[k];
            ss[m - 1] = ss[k];
        } else {
            n[m] = n[k];
            ds[m] = ds[k];
            ss[m] = ss[k];
            m++;
        }
    }
    // At least two dims, padded with size-1 ones at the front, so the loop below always ends in a 2-D copy.
    while (m < 2) {
        memmove(n + 1, n, sizeof(ptrdiff_t) * (size_t)m);
        memmove(ds + 1, ds, sizeof(ptrdiff_t) * (size_t)m);
        memmove(ss + 1, ss, sizeof(ptrdiff_t) * (size_t)m);
        n[0] = 1;
        ds[0] = ss[0] = 0;
        m++;
    }
    // This part's share of dim 0.
    ptrdiff_t lo = n[0] * part / parts, hi = n[0] * (part + 1) / parts;
    if (lo >= hi) return;
    ptrdiff_t e = (ptrdiff_t)elem;
    char *d = (char *)dst + lo * ds[0] * e;
    const char *s = (const char *)src + lo * ss[0] * e;
    n[0] = hi - lo;
    int outer = m - 2;
    ptrdiff_t index[MAX_RANK + 2] = {0};
    for (;;) {
        copy2d(elem, n[outer], n[outer + 1], d, ds[outer], ds[outer + 1], s, ss[outer], ss[outer + 1]);
        int k = outer - 1;
        while (k >= 0) {
            index[k]++;
            d += ds[k] * e;
            s += ss[k] * e;
            if (index[k] < n[k]) break;
            d -= ds[k] * n[k] * e;
            s -= ss[k] * n[k] * e;
            index[k] = 0;
            k--;
        }
        if (k < 0) return;
    }
}
