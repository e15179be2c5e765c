#include "ckernels_copy.h"

#include "gemm_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// A transposed copy done element by element reads the source a whole stride apart on every element, so each
// element costs a cache line (and, for a 4 MB matrix, often a TLB miss). Done in 8x8 tiles, 8 source lines and 8
// destination lines serve 64 elements, and within a 64x64 block the other halves of those lines are used by the
// neighbouring tiles before they leave L1.

enum { MAX_RANK = 16, BLOCK = 64 };

typedef struct {
    ptrdiff_t n, ds, ss;
} dim;

static ptrdiff_t absd(ptrdiff_t x) { return x < 0 ? -x : x; }

static int by_dst_stride_descending(const void *a, const void *b) {
    ptrdiff_t x = absd(((const dim *)a)->ds), y = absd(((const dim *)b)->ds);
    return (x < y) - (x > y);
}

// Element-sized moves through integers, so no value goes through a floating-point register that might quiet a NaN.
#define DEFINE_SCALAR(name, T)                                                                                     \
    static void name(ptrdiff_t rows, ptrdiff_t cols, T *dst, ptrdiff_t dri, ptrdiff_t dcj, const T *src,           \
                     ptrdiff_t sri, ptrdiff_t scj) {                                                               \
        for (ptrdiff_t r0 = 0; r0 < rows; r0 += BLOCK) {                                                           \
            ptrdiff_t r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;                                                  \
            for (ptrdiff_t c0 = 0; c0 < cols; c0 += BLOCK) {                                                       \
                ptrdiff_t c1 = c0 + BLOCK < cols ? c0 + BLOCK : cols;                                              \
                for (ptrdiff_t r = r0; r < r1; r++) {                                                              \
                    T *d = dst + r * dri;                                                                          \
                    const T *s = src + r * sri;                                                                    \
                    for (ptrdiff_t c = c0; c < c1; c++) d[c * dcj] = s[c * scj];                                   \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
    }
DEFINE_SCALAR(scalar32, uint32_t)
DEFINE_SCALAR(scalar64, uint64_t)

#if defined(__x86_64__) || defined(__i386__)
// dst[r][c] = src[r + c * scj] for an 8x8 tile: column c of the tile is 8 consecutive source elements.
__attribute__((target("avx2"))) static inline void tile32(float *dst, ptrdiff_t dri, const float *src,
                                                          ptrdiff_t scj) {
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + scj);
    __m256 r2 = _mm256_loadu_ps(src + 2 * scj), r3 = _mm256_loadu_ps(src + 3 * scj);
    __m256 r4 = _mm256_loadu_ps(src + 4 * scj), r5 = _mm256_loadu_ps(src + 5 * scj);
    __m256 r6 = _mm256_loadu_ps(src + 6 * scj), r7 = _mm256_loadu_ps(src + 7 * scj);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
    _mm256_storeu_ps(dst + dri, _mm256_permute2f128_ps(s1, s5, 0x20));
    _mm256_storeu_ps(dst + 2 * dri, _mm256_permute2f128_ps(s2, s6, 0x20));
    _mm256_storeu_ps(dst + 3 * dri, _mm256_permute2f128_ps(s3, s7, 0x20));
    _mm256_storeu_ps(dst + 4 * dri, _mm256_permute2f128_ps(s0, s4, 0x31));
    _mm256_storeu_ps(dst + 5 * dri, _mm256_permute2f128_ps(s1, s5, 0x31));
    _mm256_storeu_ps(dst + 6 * dri, _mm256_permute2f128_ps(s2, s6, 0x31));
    _mm256_storeu_ps(dst + 7 * dri, _mm256_permute2f128_ps(s3, s7, 0x31));
}

// The same for a 4x4 tile of doubles.
__attribute__((target("avx2"))) static inline void tile64(double *dst, ptrdiff_t dri, const double *src,
                                                          ptrdiff_t scj) {
    __m256d r0 = _mm256_loadu_pd(src), r1 = _mm256_loadu_pd(src + scj);
    __m256d r2 = _mm256_loadu_pd(src + 2 * scj), r3 = _mm256_loadu_pd(src + 3 * scj);
    __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    _mm256_storeu_pd(dst, _mm256_permute2f128_pd(t0, t2, 0x20));
    _mm256_storeu_pd(dst + dri, _mm256_permute2f128_pd(t1, t3, 0x20));
    _mm256_storeu_pd(dst + 2 * dri, _mm256_permute2f128_pd(t0, t2, 0x31));
    _mm256_storeu_pd(dst + 3 * dri, _mm256_permute2f128_pd(t1, t3, 0x31));
}

// dst[r * dri + c] = src[r + c * scj] in blocks of tiles; the ragged edges go element by element.
#define DEFINE_TRANSPOSE(name, T, U, tile, W)                                                                      \
    __attribute__((target("avx2"))) static void name(ptrdiff_t rows, ptrdiff_t cols, T *dst, ptrdiff_t dri,        \
                                                     const T *src, ptrdiff_t scj) {                                \
        ptrdiff_t rt = rows / W * W, ct = cols / W * W;                                                            \
        for (ptrdiff_t c0 = 0; c0 < ct; c0 += BLOCK) {                                                             \
            ptrdiff_t c1 = c0 + BLOCK < ct ? c0 + BLOCK : ct;                                                      \
            for (ptrdiff_t r0 = 0; r0 < rt; r0 += BLOCK) {                                                         \
                ptrdiff_t r1 = r0 + BLOCK < rt ? r0 + BLOCK : rt;                                                  \
                for (ptrdiff_t c = c0; c < c1; c += W)                                                             \
                    for (ptrdiff_t r = r0; r < r1; r += W) tile(dst + r * dri + c, dri, src + r + c * scj, scj);   \
            }                                                                                                      \
        }                                                                                                          \
        if (rt < rows) scalar##U(rows - rt, ct, (void *)(dst + rt * dri), dri, 1, (const void *)(src + rt), 1, scj); \
        if (ct < cols)                                                                                             \
            scalar##U(rows, cols - ct, (void *)(dst + ct), dri, 1, (const void *)(src + ct * scj), 1, scj);        \
    }
DEFINE_TRANSPOSE(transpose32, float, 32, tile32, 8)
DEFINE_TRANSPOSE(transpose64, double, 64, tile64, 4)
#endif

// One 2-D slice: rows along a dim where the source is dense (when `tiled`), columns along the destination's
// innermost dim.
static void copy2d(size_t es, ptrdiff_t rows, ptrdiff_t cols, char *dst, ptrdiff_t dri, ptrdiff_t dcj,
                   const char *src, ptrdiff_t sri, ptrdiff_t scj) {
    if (dcj == 1 && scj == 1) {
        for (ptrdiff_t r = 0; r < rows; r++)
            memcpy(dst + r * dri * (ptrdiff_t)es, src + r * sri * (ptrdiff_t)es, (size_t)cols * es);
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (dcj == 1 && sri == 1 && ck_detect_isa() >= CK_ISA_AVX2) {
        if (es == 4)
            transpose32(rows, cols, (float *)(void *)dst, dri, (const float *)(const void *)src, scj);
        else
            transpose64(rows, cols, (double *)(void *)dst, dri, (const double *)(const void *)src, scj);
        return;
    }
#endif
    if (es == 4)
        scalar32(rows, cols, (uint32_t *)(void *)dst, dri, dcj, (const uint32_t *)(const void *)src, sri, scj);
    else
        scalar64(rows, cols, (uint64_t *)(void *)dst, dri, dcj, (const uint64_t *)(const void *)src, sri, scj);
}

int ck_copy_strided(size_t elem_size, int rank, const ptrdiff_t *shape, void *dst, const ptrdiff_t *dst_strides,
                    const void *src, const ptrdiff_t *src_strides) {
    if ((elem_size != 4 && elem_size != 8) || rank < 0 || rank > MAX_RANK) return 0;
    dim dims[MAX_RANK];
    int n = 0;
    for (int d = 0; d < rank; d++) {
        if (shape[d] < 0) return 0;
        if (shape[d] == 0) return 1;
        if (shape[d] == 1) continue;
        dims[n++] = (dim){shape[d], dst_strides[d], src_strides[d]};
    }
    // Every destination element is written once, so the order of the dims is free: innermost the destination's
    // densest dim. The destination must not overlap itself, or a different order could change which write wins.
    qsort(dims, (size_t)n, sizeof(dim), by_dst_stride_descending);
    ptrdiff_t reach = 0;
    for (int d = n - 1; d >= 0; d--) {
        if (absd(dims[d].ds) <= reach) return 0;
        reach += absd(dims[d].ds) * (dims[d].n - 1);
    }
    // Merge dims that are one dense run on both sides, so a contiguous-to-contiguous slice is one memcpy.
    int m = 0;
    for (int d = 0; d < n; d++) {
        if (m > 0 && dims[m - 1].ds == dims[d].ds * dims[d].n && dims[m - 1].ss == dims[d].ss * dims[d].n) {
            dims[m - 1] = (dim){dims[m - 1].n * dims[d].n, dims[d].ds, dims[d].ss};
        } else {
            dims[m++] = dims[d];
        }
    }
    n = m;
    char *dbase = dst;
    const char *sbase = src;
    const ptrdiff_t es = (ptrdiff_t)elem_size;
    if (n == 0) {
        memcpy(dbase, sbase, elem_size);
        return 1;
    }
    // Columns: the destination's innermost dim. Rows: the dim the source is densest along, when it is denser
    // there than along the columns (a transpose); otherwise the next dim out, copied row by row.
    dim col = dims[n - 1], row = {1, 0, 0};
    int rowIndex = -1;
    for (int d = 0; d < n - 1; d++) {
        if (absd(dims[d].ss) < absd(col.ss) && (rowIndex < 0 || absd(dims[d].ss) < absd(row.ss))) {
            row = dims[d];
            rowIndex = d;
        }
    }
    if (rowIndex < 0 && n >= 2) {
        rowIndex = n - 2;
        row = dims[rowIndex];
    }
    // The other dims, outermost first, walked as an odometer.
    dim outer[MAX_RANK];
    int k = 0;
    for (int d = 0; d < n - 1; d++)
        if (d != rowIndex) outer[k++] = dims[d];
    ptrdiff_t index[MAX_RANK] = {0};
    ptrdiff_t doff = 0, soff = 0;
    for (;;) {
        copy2d(elem_size, row.n, col.n, dbase + doff * es, row.ds, col.ds, sbase + soff * es, row.ss, col.ss);
        int d = k - 1;
        for (; d >= 0; d--) {
            doff += outer[d].ds;
            soff += outer[d].ss;
            if (++index[d] < outer[d].n) break;
            doff -= outer[d].ds * outer[d].n;
            soff -= outer[d].ss * outer[d].n;
            index[d] = 0;
        }
        if (d < 0) break;
    }
    return 1;
}
