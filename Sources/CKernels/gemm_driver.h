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

// `count` whole slivers of R lanes from rows of stride ks, row by row: each row is read as one run of count * R
// values, which the hardware prefetcher follows, where packing sliver after sliver reads one cache line per row
// and waits on memory for each (a third of a 64 x 1024 x 4096 product's time went there).
static inline __attribute__((always_inline)) void P(pack_rows_r)(const T *restrict s, ptrdiff_t ks, ptrdiff_t kc,
                                                                 ptrdiff_t count, const int R, T *restrict d) {
    for (ptrdiff_t p = 0; p < kc; p++)
        for (ptrdiff_t g = 0; g < count; g++)
            for (int l = 0; l < R; l++) d[g * R * kc + p * R + l] = s[p * ks + g * R + l];
}

static void P(pack_rows)(const T *s, ptrdiff_t ks, ptrdiff_t kc, ptrdiff_t count, int R, T *restrict d) {
    switch (R) {
    case 4: P(pack_rows_r)(s, ks, kc, count, 4, d); break;
    case 8: P(pack_rows_r)(s, ks, kc, count, 8, d); break;
    case 16: P(pack_rows_r)(s, ks, kc, count, 16, d); break;
    case 32: P(pack_rows_r)(s, ks, kc, count, 32, d); break;
    default: P(pack_rows_r)(s, ks, kc, count, R, d); break;
    }
}

// Packs columns j0 ..< j0 + cols of op(B), rows pc ..< pc + kc, as nr-wide slivers.
static void P(pack_b)(const ck_gemm_job *job, ptrdiff_t pc, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t cols, T *dst) {
    const T *B = job->B;
    const ptrdiff_t nr = job->nr;
    if (job->transB) {
        P(pack)(B + j0 * job->ldb + pc, 1, job->ldb, cols, kc, (int)nr, dst);
        return;
    }
    const ptrdiff_t whole = cols / nr;
    P(pack_rows)(B + pc * job->ldb + j0, job->ldb, kc, whole, (int)nr, dst);
    if (cols > whole * nr)
        P(pack)(B + pc * job->ldb + j0 + whole * nr, job->ldb, 1, cols - whole * nr, kc, (int)nr,
                dst + whole * nr * kc);
}

// Moves a sliver's state from not packed to being packed by the caller; fails if another thread has it.
static int P(take_sliver)(_Atomic int *state, int packing) {
    int seen = atomic_load_explicit(state, memory_order_acquire);
    return seen < packing &&
           atomic_compare_exchange_strong_explicit(state, &seen, packing, memory_order_acquire, memory_order_acquire);
}

// Rows i0 ..< i1 of packed A (one K slice) times one packed sliver b, into the nb columns of C from column j.
static void P(sliver_tiles)(const ck_gemm_job *job, const T *ap, ptrdiff_t i0, ptrdiff_t i1, const T *b, ptrdiff_t j,
                            ptrdiff_t nb, ptrdiff_t kc, int add) {
    const CONFIG *cfg = job->cfg;
    const ptrdiff_t mr = job->mr, nr = job->nr, ldc = job->ldc;
    T tile[CK_MAX_TILE] __attribute__((aligned(64)));
    for (ptrdiff_t ir = i0; ir < i1; ir += mr) {
        const ptrdiff_t mb = min_pd(mr, i1 - ir);
        const T *a = ap + (ir - i0) * kc;
        T *c = (T *)job->C + ir * ldc + j;
        if (mb == mr && nb == nr) {
            cfg->kernel(kc, a, b, c, ldc, add);
            continue;
        }
        cfg->kernel(kc, a, b, tile, nr, 0);
        for (ptrdiff_t i = 0; i < mb; i++)
            for (ptrdiff_t l = 0; l < nb; l++) c[i * ldc + l] = add ? c[i * ldc + l] + tile[i * nr + l] : tile[i * nr + l];
    }
}

// One unit: its rows of A packed slice by slice, each slice against its slivers of B.
static void P(run_unit)(const ck_gemm_job *job, ptrdiff_t phase, const unit_bounds *u, T *ap, T *own) {
    const ptrdiff_t mr = job->mr, nr = job->nr, K = job->K;
    const ptrdiff_t i0 = u->i0, i1 = u->i1, jc = u->jc, nc = u->nc, s0 = u->s0, s1 = u->s1;
    const int backward = u->backward;
    const T *A = job->A;
    const int packing = 2 * (int)phase + 1, packed = 2 * (int)phase + 2;
    // A sliver group of a short last phase can be empty.
    if (s0 >= s1) return;
    ptrdiff_t slice = 0;
    for (ptrdiff_t pc = 0; pc < K; pc += job->kc, slice++) {
        const ptrdiff_t kc = min_pd(job->kc, K - pc);
        // Later K slices add to what the first one wrote.
        const int add = job->accumulate || pc > 0;
        if (job->transA)
            P(pack)(A + pc * job->lda + i0, job->lda, 1, i1 - i0, kc, (int)mr, ap);
        else
            P(pack)(A + i0 * job->lda + pc, 1, job->lda, i1 - i0, kc, (int)mr, ap);
        if (job->units_n > 1) {
            // Split by columns, no other unit needs these slivers: pack them a few at a time into this thread's
            // own buffer, which stays in its cache, instead of writing them out to the shared one (8-14% faster
            // on 64 x 1024 x 4096 and 144 x 512 x 1024).
            for (ptrdiff_t q = s0; q < s1; q += OWN_SLIVERS) {
                const ptrdiff_t count = min_pd(OWN_SLIVERS, s1 - q);
                P(pack_b)(job, pc, kc, jc + q * nr, min_pd((q + count) * nr, nc) - q * nr, own);
                for (ptrdiff_t t = 0; t < count; t++) {
                    const ptrdiff_t jr = (q + t) * nr;
                    P(sliver_tiles)(job, ap, i0, i1, own + t * nr * kc, jc + jr, min_pd(nr, nc - jr), kc, add);
                }
            }
            continue;
        }
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
                    // Also take the next free slivers on this unit's way (whole ones), to pack them row by row.
                    ptrdiff_t lo = s, hi = s + 1;
                    const ptrdiff_t group = max_pd(1, PACK_GROUP_BYTES / (nr * (ptrdiff_t)sizeof(T)));
                    if (!job->transB && nb == nr) {
                        if (backward)
                            while (lo > s0 && s + 1 - lo < group && P(take_sliver)(&states[lo - 1], packing)) lo--;
                        else
                            while (hi < s1 && hi - s < group && (hi + 1) * nr <= nc &&
                                   P(take_sliver)(&states[hi], packing))
                                hi++;
                    }
                    P(pack_b)(job, pc, kc, jc + lo * nr, min_pd(hi * nr, nc) - lo * nr, panel + lo * nr * kc);
                    for (ptrdiff_t t = lo; t < hi; t++) atomic_store_explicit(&states[t], packed, memory_order_release);
                } else if (state != packed) {
                    P(pack_b)(job, pc, kc, jc + jr, nb, own);
                    b = own;
                }
            }
            P(sliver_tiles)(job, ap, i0, i1, b, jc + jr, nb, kc, add);
        }
    }
}

// Takes units until none is left; a unit whose packing buffer cannot be allocated runs unblocked.
static void P(run)(ck_gemm_job *job, ptrdiff_t phase) {
    if (atomic_load_explicit(&job->next[phase], memory_order_relaxed) >= job->units) return;
    const size_t a_elements = (size_t)(job->chunk_max * job->mr * job->kc);
    const size_t bytes = (a_elements + (size_t)(OWN_SLIVERS * job->kc * job->nr)) * sizeof(T);
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
    // Every K slice ends in a read-modify-write of the C tiles, whose lines come back from L3, so up to twice the
    // configured kc the whole K is one slice (C written once) and the A block gets fewer rows to stay the same
    // size in L2; longer K is cut into equal slices, so no slice is a short remainder.
    const ptrdiff_t slices = K <= 2 * cfg->kc ? 1 : ceil_div(K, cfg->kc);
    const ptrdiff_t kc = ceil_div(K, slices);
    const ptrdiff_t mc = max_pd(cfg->mr, cfg->mc * cfg->kc / kc / cfg->mr * cfg->mr);
    ck_gemm_job job = {
        .element_size = sizeof(T), .cfg = cfg, .transA = transA, .transB = transB, .accumulate = accumulate,
        .A = A, .B = B, .C = C, .M = M, .N = N, .K = K, .lda = lda, .ldb = ldb, .ldc = ldc,
        .mr = cfg->mr, .nr = cfg->nr, .kc = kc,
    };
    return job_layout(&job, mc, parts);
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
