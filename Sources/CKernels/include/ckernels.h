#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Row-major GEMM: C[M,N] = (accumulate ? C : 0) + op(A)[M,K] * op(B)[K,N].
/// op(A) is A (lda = row stride of A as stored) or its transpose when transA != 0; likewise for B.
/// Every pointer may alias nothing else; sizes are validated by the caller.
void ck_sgemm(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
              const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
              float *C, ptrdiff_t ldc, int accumulate);
void ck_dgemm(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
              const double *A, ptrdiff_t lda, const double *B, ptrdiff_t ldb,
              double *C, ptrdiff_t ldc, int accumulate);

/// Storage for tensor data, uninitialised, 64-byte aligned. Blocks of 4 MiB and more are 2 MiB aligned, advised to
/// use transparent huge pages, and recycled through a small cache (at most 256 MiB held), so writing a large
/// fresh result does not stall on a page fault every 4 KiB. Returns NULL when the memory is not available.
/// Thread-safe. Release with ck_free, passing the same byte count.
void *ck_alloc(size_t bytes);
void ck_free(void *p, size_t bytes);

/// The instruction set the kernels dispatch to on this CPU: 0 portable, 1 AVX2+FMA, 2 AVX-512F.
int ck_gemm_isa(void);
/// A short name for an instruction-set number ("generic", "avx2", "avx512").
const char *ck_gemm_isa_name(int isa);

/// The same products through the kernel of instruction set `isa`, so tests can cover every path this CPU can run.
/// Returns 0 (and does nothing) when this CPU cannot run `isa`, 1 otherwise.
int ck_sgemm_isa(int isa, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                 const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                 float *C, ptrdiff_t ldc, int accumulate);
int ck_dgemm_isa(int isa, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                 const double *A, ptrdiff_t lda, const double *B, ptrdiff_t ldb,
                 double *C, ptrdiff_t ldc, int accumulate);

#ifdef __cplusplus
}
#endif

#endif
