#include "ckernels.h"
#include "gemm_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// The driver shared by both element types: work units, the packed-B buffer and its states. The per-type loops are
// in gemm_driver.h.

// Packed B of one phase (all of K by the phase's columns) stays within this, so that it lives in L3 while every
// row block of A meets it.
static const size_t PACKED_B_BUDGET = (size_t)8 << 20;

// A thread that packs a sliver of row-major B also packs the next free ones, up to this many bytes per row of B,
// so that it reads each row of B as one run the prefetcher follows.
static const ptrdiff_t PACK_GROUP_BYTES = 256;

// Slivers a thread packs at a time into its own buffer when a job is split by columns (2 measured better than 1
// or 4 on short-wide products).
#define OWN_SLIVERS ((ptrdiff_t)2)

struct ck_gemm_job {
    size_t element_size, bytes;
    const void *cfg;
    int transA, transB, accumulate;
    const void *A, *B;
    void *C;
    ptrdiff_t M, N, K, lda, ldb, ldc;
    ptrdiff_t mr, nr, kc;
    // Columns per phase (a multiple of nr unless one phase covers N), and that rounded up to whole slivers.
    ptrdiff_t nc, ncpad, phases;
    // Row tiles of C, the most tiles one unit takes, sliver groups per phase (1, or more when all rows fit one
    // unit: then each unit is every row against one group), units per phase, K slices, slivers per slice, threads
    // the units are sized for.
    ptrdiff_t tiles_m, chunk_max, units_n, units, slices, slivers, parts;
    // Per (K slice, sliver): below 2p + 1 not yet packed in phase p, 2p + 1 being packed, 2p + 2 packed. Counting
    // on across phases spares a reset between them.
    _Atomic int *state;
    // Per phase: the next (row tile, sliver group) to hand out, counted row tile by row tile.
    _Atomic ptrdiff_t *next;
    // K x ncpad elements: slice after slice, each slice's slivers side by side.
    void *bpack;
};

static ptrdiff_t min_pd(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }
static ptrdiff_t max_pd(ptrdiff_t a, ptrdiff_t b) { return a > b ? a : b; }
static ptrdiff_t ceil_div(ptrdiff_t a, ptrdiff_t b) { return (a + b - 1) / b; }
static size_t round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

typedef struct {
    ptrdiff_t i0, i1;  // rows of C
    ptrdiff_t jc, nc;  // the phase's columns
    ptrdiff_t s0, s1;  // slivers of the phase
    ptrdiff_t j0, j1;  // their columns of C
    int backward;      // walk the slivers from the last
} unit_bounds;

// How many row tiles the next unit takes when `left` remain: the full block while there is plenty, then less and
// less (guided scheduling), so the threads finish together even when one core runs slower than the other (on this
// machine one vCPU runs single-threaded GEMM about 9% slower than the other), at the cost of a few short units.
static ptrdiff_t chunk(const ck_gemm_job *job, ptrdiff_t left) {
    if (job->parts == 1) return min_pd(left, job->chunk_max);
    ptrdiff_t share = ceil_div(left, 2 * job->parts);
    return min_pd(left, share < 2 ? 2 : share > job->chunk_max ? job->chunk_max : share);
}

// Claims the next unit of a phase: a run of row tiles against all of the phase's slivers, or, with sliver groups,
// every row against one group. Returns 0 when none is left.
static int claim(ck_gemm_job *job, ptrdiff_t phase, unit_bounds *b) {
    const ptrdiff_t items = job->units;
    ptrdiff_t start = atomic_load_explicit(&job->next[phase], memory_order_relaxed), count;
    do {
        if (start >= items) return 0;
        count = job->units_n > 1 ? 1 : chunk(job, items - start);
    } while (!atomic_compare_exchange_weak_explicit(&job->next[phase], &start, start + count, memory_order_relaxed,
                                                    memory_order_relaxed));
    const int grouped = job->units_n > 1;
    const ptrdiff_t tile = grouped ? 0 : start, group = grouped ? start : 0;
    b->jc = phase * job->nc;
    b->nc = min_pd(job->nc, job->N - b->jc);
    const ptrdiff_t slivers = ceil_div(b->nc, job->nr);
    b->i0 = tile * job->mr;
    b->i1 = grouped ? job->M : min_pd((tile + count) * job->mr, job->M);
    b->s0 = group * slivers / job->units_n;
    b->s1 = (group + 1) * slivers / job->units_n;
    b->j0 = b->jc + b->s0 * job->nr;
    b->j1 = b->jc + min_pd(b->s1 * job->nr, b->nc);
    // The first two units (one per thread when two start together) walk in opposite directions, so the threads
    // pack different halves of B instead of racing for the same slivers.
    b->backward = (int)((start / job->chunk_max) & 1);
    return 1;
}

// Fills in the blocking of a job whose operands and register tile are set, and places it with its states and
// packed B in one scratch block. Sizes are positive.
static ck_gemm_job *job_layout(const ck_gemm_job *shape, ptrdiff_t mc, int parts) {
    ck_gemm_job job = *shape;
    const ptrdiff_t mr = job.mr, nr = job.nr;
    ptrdiff_t nc = (ptrdiff_t)(PACKED_B_BUDGET / ((size_t)job.K * job.element_size)) / nr * nr;
    job.nc = nc < nr ? nr : nc >= job.N ? job.N : nc;
    job.ncpad = ceil_div(job.nc, nr) * nr;
    job.phases = ceil_div(job.N, job.nc);
    job.slivers = job.ncpad / nr;
    job.slices = ceil_div(job.K, job.kc);
    job.tiles_m = ceil_div(job.M, mr);
    job.parts = parts;
    job.chunk_max = min_pd(job.tiles_m, max_pd(1, mc / mr));
    // When every row fits one A block and B is the larger operand, sharing rows would make each thread stream
    // all of packed B for a few rows (64 x 1024 by 1024 x 4096 ran at half OpenBLAS's speed): split the columns
    // instead, so each unit packs and streams only its own slivers of B and repacks the small A. Units of at least 4 slivers keep that repacking
    // under 2% of a unit's work; up to 8 per thread let a faster core take more of them.
    if (parts > 1 && job.tiles_m <= job.chunk_max && 2 * job.M <= job.N) {
        const ptrdiff_t most = 8 * (ptrdiff_t)parts, least = min_pd(job.slivers, 2 * (ptrdiff_t)parts);
        job.units_n = max_pd(least, min_pd(most, job.slivers / 4));
    } else {
        job.units_n = 1;
    }
    job.units = job.units_n > 1 ? job.units_n : job.tiles_m;

    const size_t head = round64(sizeof(ck_gemm_job));
    const size_t states = round64((size_t)(job.slices * job.slivers) * sizeof(_Atomic int));
    const size_t counters = round64((size_t)job.phases * sizeof(_Atomic ptrdiff_t));
    const size_t packed = (size_t)job.K * (size_t)job.ncpad * job.element_size;
    job.bytes = head + states + counters + packed;
    char *memory = ck_scratch_take(CK_SCRATCH_JOB, job.bytes);
    if (!memory) return NULL;
    job.state = (_Atomic int *)(memory + head);
    job.next = (_Atomic ptrdiff_t *)(memory + head + states);
    job.bpack = memory + head + states + counters;
    for (ptrdiff_t i = 0; i < job.slices * job.slivers; i++) atomic_init(&job.state[i], 0);
    for (ptrdiff_t i = 0; i < job.phases; i++) atomic_init(&job.next[i], 0);
    memcpy(memory, &job, sizeof job);
    return (ck_gemm_job *)memory;
}

void ck_gemm_job_free(ck_gemm_job *job) {
    if (job) ck_scratch_give(CK_SCRATCH_JOB, job, job->bytes);
}

ptrdiff_t ck_gemm_job_phases(const ck_gemm_job *job) { return job ? job->phases : 0; }

#define T float
#define P(name) ck_s_##name
#define CONFIG ck_sgemm_config
#include "gemm_driver.h"
#undef T
#undef P
#undef CONFIG

#define T double
#define P(name) ck_d_##name
#define CONFIG ck_dgemm_config
#include "gemm_driver.h"
#undef T
#undef P
#undef CONFIG

void ck_gemm_job_run(ck_gemm_job *job, ptrdiff_t phase) {
    if (!job || phase < 0 || phase >= job->phases) return;
    if (job->element_size == sizeof(float))
        ck_s_run(job, phase);
    else
        ck_d_run(job, phase);
}

#define DEFINE_ENTRY_POINTS(NAME, PREFIX, T, CONFIGS)                                                           \
    void NAME(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A, ptrdiff_t lda,       \
              const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) {                                \
        PREFIX##blocked(&CONFIGS[ck_detect_isa()], transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate); \
    }                                                                                                          \
                                                                                                               \
    int NAME##_isa(int isa, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A,        \
                   ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) {            \
        if (isa < 0 || isa > ck_detect_isa()) return 0;                                                        \
        PREFIX##blocked(&CONFIGS[isa], transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);           \
        return 1;                                                                                              \
    }                                                                                                          \
                                                                                                               \
    ck_gemm_job *NAME##_job(int isa, int parts, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, \
                            const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc,         \
                            int accumulate) {                                                                  \
        if (isa < 0) isa = ck_detect_isa();                                                                    \
        if (isa > ck_detect_isa() || M <= 0 || N <= 0 || K <= 0 || parts < 1) return NULL;                     \
        return PREFIX##job(&CONFIGS[isa], parts, transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate); \
    }

DEFINE_ENTRY_POINTS(ck_sgemm, ck_s_, float, ck_sgemm_configs)
DEFINE_ENTRY_POINTS(ck_dgemm, ck_d_, double, ck_dgemm_configs)

int ck_gemm_isa(void) { return ck_detect_isa(); }

const char *ck_gemm_isa_name(int isa) {
    if (isa < 0 || isa > CK_ISA_AVX512) return "unknown";
    return ck_sgemm_configs[isa].name;
}
