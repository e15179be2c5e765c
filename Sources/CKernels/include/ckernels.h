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

/// One product computed by several threads together, without duplicated work and without any thread waiting for
/// another: C is handed out in blocks of rows from a shared counter (a thread that the machine runs slower takes
/// fewer blocks), and each sliver of packed B is packed once, by the first thread that needs it, into a buffer all
/// threads read. A thread that finds a sliver still being packed by another packs its own copy of it instead of
/// waiting, so the product completes however the threads are scheduled, one thread alone included.
///
/// Columns of C are done in phases, so that packed B stays within a cache-sized budget: run the phases in order,
/// and within a phase call ck_gemm_job_run from any number of threads (up to `parts` of them do useful work);
/// every call of phase p must return before phase p + 1 starts. Free the job on the thread that created it.
/// Returns NULL when this CPU cannot run `isa` (-1: the best it can) or memory is not available.
typedef struct ck_gemm_job ck_gemm_job;
ck_gemm_job *ck_sgemm_job(int isa, int parts, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                          const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                          float *C, ptrdiff_t ldc, int accumulate);
ck_gemm_job *ck_dgemm_job(int isa, int parts, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                          const double *A, ptrdiff_t lda, const double *B, ptrdiff_t ldb,
                          double *C, ptrdiff_t ldc, int accumulate);
ptrdiff_t ck_gemm_job_phases(const ck_gemm_job *job);
void ck_gemm_job_run(ck_gemm_job *job, ptrdiff_t phase);
void ck_gemm_job_free(ck_gemm_job *job);

#ifdef __cplusplus
}
#endif

#endif
