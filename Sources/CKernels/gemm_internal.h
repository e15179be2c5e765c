#ifndef CKERNELS_GEMM_INTERNAL_H
#define CKERNELS_GEMM_INTERNAL_H

#include <stddef.h>
#include "ckernels.h"

// A micro-kernel computes one MR x NR tile of C from kc steps of packed A (MR values per step) and packed B
// (NR values per step). With add == 0 it stores the tile, otherwise it adds the tile to C.
typedef void (*ck_sukernel)(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc, int add);
typedef void (*ck_dukernel)(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc, int add);

// Register tile (mr x nr) and cache blocks: an mc x kc block of A stays in L2, a kc x nr sliver of B in L1.
// How many columns of packed B a job keeps (in L3) is a byte budget in gemm.c, the same for every kernel.
typedef struct {
    const char *name;
    int mr, nr, mc, kc;
    ck_sukernel kernel;
} ck_sgemm_config;

typedef struct {
    const char *name;
    int mr, nr, mc, kc;
    ck_dukernel kernel;
} ck_dgemm_config;

// The largest register tile any kernel uses, so edge tiles fit a stack buffer.
#define CK_MAX_TILE (16 * 64)

enum { CK_ISA_GENERIC = 0, CK_ISA_AVX2 = 1, CK_ISA_AVX512 = 2 };

extern const ck_sgemm_config ck_sgemm_configs[3];
extern const ck_dgemm_config ck_dgemm_configs[3];

/// Thread-local reusable buffers, 64-byte aligned: slot 0 holds a worker's packed A, slot 1 a job's shared packed B.
/// A slot already taken on this thread, or a request over the keep limit, is served by a fresh ck_alloc block.
/// Give back every pointer taken, with the same slot and size. Returns NULL when memory is not available.
enum { CK_SCRATCH_A = 0, CK_SCRATCH_JOB = 1, CK_SCRATCH_SLOTS = 2 };
void *ck_scratch_take(int slot, size_t bytes);
void ck_scratch_give(int slot, void *p, size_t bytes);

/// The best instruction set this CPU and OS support (CPUID + XGETBV), computed once.
int ck_detect_isa(void);

#endif
