#include "ckernels.h"

// Straightforward reference kernels; the tuned versions replace these bodies behind the same signatures.
#define DEFINE_GEMM(NAME, T)                                                                 \
    void NAME(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A,     \
              ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) { \
        for (ptrdiff_t i = 0; i < M; i++) {                                                  \
            T *c = C + i * ldc;                                                              \
            if (!accumulate)                                                                 \
                for (ptrdiff_t j = 0; j < N; j++) c[j] = 0;                                  \
            for (ptrdiff_t k = 0; k < K; k++) {                                              \
                T a = transA ? A[k * lda + i] : A[i * lda + k];                              \
                if (transB) {                                                                \
                    for (ptrdiff_t j = 0; j < N; j++) c[j] += a * B[j * ldb + k];            \
                } else {                                                                     \
                    const T *b = B + k * ldb;                                                \
                    for (ptrdiff_t j = 0; j < N; j++) c[j] += a * b[j];                      \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
    }

DEFINE_GEMM(ck_sgemm, float)
DEFINE_GEMM(ck_dgemm, double)
