// The blocked GEMM for one element type, included once per type by gemm.c with T (the element type), P(name) (its
// prefix) and CONFIG / CONFIGS (its micro-kernel table) defined.
//
// BLIS/GotoBLAS shape: packing turns every transpose and leading dimension into one contiguous layout (A in mr-tall
// slivers, B in nr-wide slivers, both zero-padded at the edges, so the micro-kernel always runs full tiles; partial
// tiles of C go through a stack buffer), and the micro-kernel multiplies one A sliver by one B sliver into an
// mr x nr tile of C. A block of rows x kc of A stays in L2 while it meets every B sliver of the phase; each kc x nr
// B sliver stays in L1 while it meets every A sliver of the block.

// The unblocked loop, used only when the packing buffers cannot be allocated.
static void P(naive)(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const T *A, ptrdiff_t lda,
                     const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) {
    for (ptrdiff_t i = 0; i < M; i++) {
        T *c = C + i * ldc;
        if (!accumulate) memset(c, 0, (size_t)N * sizeof(T));
        for (ptrdiff_t k = 0; k < K; k++) {
            T a = transA ? A[k * lda + i] : A[i * lda + k];
            for (ptrdiff_t j = 0; j < N; j++) c[j] += a * (transB ? B[j * ldb + k] : B[k * ldb + j]);
        }
    }
}

// One sliver: d[p * R + l] = s[p * ks + l * ls] for p < kc and l < lanes, zero for lanes <= l < R.
static inline __attribute__((always_inline)) void P(pack_sliver)(const T *restrict s, ptrdiff_t ks, ptrdiff_t ls,
                                                                 ptrdiff_t kc, ptrdiff_t lanes, const int R,
                                                                 T *restrict d) {
    if (lanes == R && ls == 1) {
        for (ptrdiff_t p = 0; p < kc; p++)
            for (int l = 0; l < R; l++) d[p * R + l] = s[p * ks + l];
    } else if (lanes == R && ks == 1) {
        // A transpose: read 8 contiguous values per lane, write them as 8 contiguous steps.
        ptrdiff_t p = 0;
        for (; p + 8 <= kc; p += 8) {
            T tmp[R][8];
            for (int l = 0; l < R; l++)
                for (int q = 0; q < 8; q++) tmp[l][q] = s[l * ls + p + q];
            for (int q = 0; q < 8; q++)
                for (int l = 0; l < R; l++) d[(p + q) * R + l] = tmp[l][q];
        }
        for (; p < kc; p++)
            for (int l = 0; l < R; l++) d[p * R + l] = s[p + l * ls];
    } else if (lanes == R) {
        for (ptrdiff_t p = 0; p < kc; p++)
            for (int l = 0; l < R; l++) d[p * R + l] = s[p * ks + l * ls];
    } else {
        for (ptrdiff_t p = 0; p < kc; p++)
            for (int l = 0; l < R; l++) d[p * R + l] = l < lanes ? s[p * ks + l * ls] : 0;
    }
}

// Packs the rows x kc block starting at s into slivers of R lanes; a constant R lets the compiler unroll.
static void P(pack)(const T *s, ptrdiff_t ks, ptrdiff_t ls, ptrdiff_t rows, ptrdiff_t kc, int R, T *restrict dst) {
    for (ptrdiff_t r = 0; r < rows; r += R) {
        const T *src = s + r * ls;
        ptrdiff_t lanes = min_pd(R, rows - r);
        T *d = dst + r * kc;
        switch (R) {
        case 4: P(pack_sliver)(src, ks, ls, kc, lanes, 4, d); break;
        case 6: P(pack_sliver)(src, ks, ls, kc, lanes, 6, d); break;
        case 8: P(pack_sliver)(src, ks, ls, kc, lanes, 8, d); break;
        case 12: P(pack_sliver)(src, ks, ls, kc, lanes, 12, d); break;
        case 16: P(pack_sliver)(src, ks, ls, kc, lanes, 16, d); break;
        case 32: P(pack_sliver)(src, ks, ls, kc, lanes, 32, d); break;
        default: P(pack_sliver)(src, ks, ls, kc, lanes, R, d); break;
        }
    }
}

// Packs columns j0 ..< j0 + cols of op(B), rows pc ..< pc + kc, as nr-wide slivers.
static void P(pack_b)(const ck_gemm_job *job, ptrdiff_t pc, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t cols, T *dst) {
    const T *B = job->B;
    if (job->transB)
        P(pack)(B + j0 * job->ldb + pc, 1, job->ldb, cols, kc, (int)job->nr, dst);
    else
        P(pack)(B + pc * job->ldb + j0, job->ldb, 1, cols, kc, (int)job->nr, dst);
}

// One unit: its rows of A packed slice by slice, each slice against its slivers of B.
static void P(run_unit)(const ck_gemm_job *job, ptrdiff_t phase, const unit_bounds *u, T *ap, T *own) {
    const CONFIG *cfg = job->cfg;
    const ptrdiff_t mr = job->mr, nr = job->nr, K = job->K;
    const ptrdiff_t i0 = u->i0, i1 = u->i1, jc = u->jc, nc = u->nc, s0 = u->s0, s1 = u->s1;
    const int backward = u->backward;
    const T *A = job->A;
    T *C = job->C;
    T tile[CK_MAX_TILE] __attribute__((aligned(64)));
    const int packing = 2 * (int)phase + 1, packed = 2 * (int)phase + 2;
    ptrdiff_t slice = 0;
    for (ptrdiff_t pc = 0; pc < K; pc += job->kc, slice++) {
        const ptrdiff_t kc = min_pd(job->kc, K - pc);
        // Later K slices add to what the first one wrote.
        const int add = job->accumulate || pc > 0;
        if (job->transA)
            P(pack)(A + pc * job->lda + i0, job->lda, 1, i1 - i0, kc, (int)mr, ap);
        else
            P(pack)(A + i0 * job->lda + pc, 1, job->lda, i1 - i0, kc, (int)mr, ap);
        T *panel = (T *)job->bpack + pc * job->ncpad;
        _Atomic int *states = job->state + slice * job->slivers;
        for (ptrdiff_t q = s0; q < s1; q++) {
            const ptrdiff_t s = backward ? s0 + s1 - 1 - q : q;
            const ptrdiff_t jr = s * nr, nb = min_pd(nr, nc - jr);
            const T *b = panel + jr * kc;
            int state = atomic_load_explicit(&states[s], memory_order_acquire);
            if (state != packed) {
                if (state < packing && atomic_compare_exchange_strong_explicit(&states[s], &state, packing,
                                                                               memory_order_acquire,
                                                                               memory_order_acquire)) {
                    P(pack_b)(job, pc, kc, jc + jr, nb, (T *)b);
                    atomic_store_explicit(&states[s], packed, memory_order_release);
                } else if (state != packed) {
                    P(pack_b)(job, pc, kc, jc + jr, nb, own);
                    b = own;
                }
            }
            for (ptrdiff_t ir = i0; ir < i1; ir += mr) {
                const ptrdiff_t mb = min_pd(mr, i1 - ir);
                const T *a = ap + (ir - i0) * kc;
                T *c = C + ir * job->ldc + jc + jr;
                if (mb == mr && nb == nr) {
                    cfg->kernel(kc, a, b, c, job->ldc, add);
                    continue;
                }
                cfg->kernel(kc, a, b, tile, nr, 0);
                for (ptrdiff_t i = 0; i < mb; i++)
                    for (ptrdiff_t j = 0; j < nb; j++)
                        c[i * job->ldc + j] = add ? c[i * job->ldc + j] + tile[i * nr + j] : tile[i * nr + j];
            }
        }
    }
}

// Takes units until none is left; a unit whose packing buffer cannot be allocated runs unblocked.
static void P(run)(ck_gemm_job *job, ptrdiff_t phase) {
    if (atomic_load_explicit(&job->next[phase], memory_order_relaxed) >= job->tiles_m * job->units_n) return;
    const size_t a_elements = (size_t)(job->chunk_max * job->mr * job->kc);
    const size_t bytes = (a_elements + (size_t)(job->kc * job->nr)) * sizeof(T);
    T *ap = ck_scratch_take(CK_SCRATCH_A, bytes);
    unit_bounds b;
    while (claim(job, phase, &b)) {
        if (ap) {
            P(run_unit)(job, phase, &b, ap, ap + a_elements);
            continue;
        }
        const T *A = job->A, *B = job->B;
        P(naive)(job->transA, job->transB, b.i1 - b.i0, b.j1 - b.j0, job->K,
                 job->transA ? A + b.i0 : A + b.i0 * job->lda, job->lda,
                 job->transB ? B + b.j0 * job->ldb : B + b.j0, job->ldb, (T *)job->C + b.i0 * job->ldc + b.j0,
                 job->ldc, job->accumulate);
    }
    if (ap) ck_scratch_give(CK_SCRATCH_A, ap, bytes);
}

static ck_gemm_job *P(job)(const CONFIG *cfg, int parts, int transA, int transB, ptrdiff_t M, ptrdiff_t N,
                           ptrdiff_t K, const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc,
                           int accumulate) {
    ck_gemm_job job = {
        .element_size = sizeof(T), .cfg = cfg, .transA = transA, .transB = transB, .accumulate = accumulate,
        .A = A, .B = B, .C = C, .M = M, .N = N, .K = K, .lda = lda, .ldb = ldb, .ldc = ldc,
        .mr = cfg->mr, .nr = cfg->nr, .kc = min_pd(cfg->kc, K),
    };
    return job_layout(&job, cfg->mc, parts);
}

// The whole product on the calling thread, through the same units and packing as a shared job.
static void P(blocked)(const CONFIG *cfg, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                       const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T *C, ptrdiff_t ldc, int accumulate) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (!accumulate)
            for (ptrdiff_t i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(T));
        return;
    }
    ck_gemm_job *job = P(job)(cfg, 1, transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    if (!job) {
        P(naive)(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
        return;
    }
    for (ptrdiff_t phase = 0; phase < job->phases; phase++) P(run)(job, phase);
    ck_gemm_job_free(job);
}
