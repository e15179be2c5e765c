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

#ifdef __cplusplus
}
#endif

#endif
