// float32 activations with PyTorch's exact arithmetic on an AVX2 CPU.
//
// PyTorch's CPU kernels (cpu_kernel_vec in ATen/native/cpu/Loops.h) walk a contiguous inner loop in blocks of two
// 8-float vectors and hand the last n % 16 elements to the scalar lambda. The vector lambdas call SLEEF's u10
// functions (expf, log1pf); the scalar lambdas call glibc. gelu goes to oneDNN instead, whose JIT code has its own
// exp and erf. Reproducing the results bit
// for bit means reproducing every rounding of those sequences, so the approximations below follow SLEEF's
// algorithms (sleefsimdsp.c, the AVX2 build with FMA) operation by operation, with the same constants.
//
// The compiler must not fuse a multiply and an add on its own: only the fused operations written out as fmadd
// intrinsics are fused in SLEEF and ATen.
#pragma STDC FP_CONTRACT OFF

#include "ckernels_vecmath.h"
#include "ckernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define VM_TARGET __attribute__((target("avx2,fma")))
#define VM_INLINE static inline __attribute__((always_inline)) VM_TARGET

typedef __m256 vf;
typedef __m256i vi;
/// A float as an unevaluated sum hi + lo (SLEEF's "double-float" arithmetic).
typedef struct {
    vf hi, lo;
} vf2;

// A value the optimiser cannot see through. It would otherwise fold a negation into the next fused multiply-add
// (vfmsub): the same number, but a NaN would keep its sign where PyTorch's flips it.
VM_INLINE vf opaque(vf v) {
    __asm__("" : "+x"(v));
    return v;
}
VM_INLINE vf neg(vf v) { return opaque(_mm256_xor_ps(v, _mm256_set1_ps(-0.0f))); }

VM_INLINE vf splat(float f) { return _mm256_set1_ps(f); }
VM_INLINE vf sel(vf mask, vf yes, vf no) { return _mm256_blendv_ps(no, yes, mask); }
VM_INLINE vf lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
VM_INLINE vf eq(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }

// 2^q for q in the normal exponent range, built in the exponent field.
VM_INLINE vf pow2i(vi q) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(q, _mm256_set1_epi32(0x7f)), 23));
}

// d * 2^e in two steps, so that e down to -252 and up to 254 stays representable in each factor.
VM_INLINE vf ldexp2(vf d, vi e) {
    vi half = _mm256_srai_epi32(e, 1);
    return _mm256_mul_ps(_mm256_mul_ps(d, pow2i(half)), pow2i(_mm256_sub_epi32(e, half)));
}

// SLEEF's expf, 1.0 ulp: Cody-Waite reduction by ln 2 and a degree-6 polynomial.
VM_INLINE vf vm_expf(vf d) {
    vi q = _mm256_cvtps_epi32(_mm256_mul_ps(d, splat(1.442695040888963407359924681001892137426645954152985934135449406931f)));
    vf qf = _mm256_cvtepi32_ps(q);
    vf s = _mm256_fmadd_ps(qf, splat(-0.693145751953125f), d);
    s = _mm256_fmadd_ps(qf, splat(-1.428606765330187045e-06f), s);

    vf u = splat((float)0.000198527617612853646278381);
    u = _mm256_fmadd_ps(u, s, splat((float)0.00139304355252534151077271));
    u = _mm256_fmadd_ps(u, s, splat((float)0.00833336077630519866943359));
    u = _mm256_fmadd_ps(u, s, splat((float)0.0416664853692054748535156));
    u = _mm256_fmadd_ps(u, s, splat((float)0.166666671633720397949219));
    u = _mm256_fmadd_ps(u, s, splat((float)0.5));
    u = _mm256_add_ps(splat(1.0f), _mm256_fmadd_ps(_mm256_mul_ps(s, s), u, s));

    u = ldexp2(u, q);
    u = _mm256_andnot_ps(lt(d, splat(-104.0f)), u);
    return sel(lt(splat(100.0f), d), splat(INFINITY), u);
}

// Double-float helpers, the FMA variants SLEEF uses on AVX2.
VM_INLINE vf2 df_add_f_f(vf x, vf y) {
    vf s = _mm256_add_ps(x, y);
    return (vf2){s, _mm256_add_ps(_mm256_sub_ps(x, s), y)};
}
VM_INLINE vf2 df_add_df_f(vf2 x, vf y) {
    vf s = _mm256_add_ps(x.hi, y);
    return (vf2){s, _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(x.hi, s), y), x.lo)};
}
// Assumes |x| >= |y|.
VM_INLINE vf2 df_add_df_df(vf2 x, vf2 y) {
    vf s = _mm256_add_ps(x.hi, y.hi);
    vf t = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(x.hi, s), y.hi), x.lo), y.lo);
    return (vf2){s, t};
}
VM_INLINE vf2 df_scale(vf2 d, vf s) { return (vf2){_mm256_mul_ps(d.hi, s), _mm256_mul_ps(d.lo, s)}; }
VM_INLINE vf2 df_mul_df_f(vf2 x, vf y) {
    vf s = _mm256_mul_ps(x.hi, y);
    return (vf2){s, _mm256_fmadd_ps(x.lo, y, _mm256_fmsub_ps(x.hi, y, s))};
}
VM_INLINE vf2 df_div(vf2 n, vf2 d) {
    vf t = _mm256_div_ps(splat(1.0f), d.hi);
    vf s = _mm256_mul_ps(n.hi, t);
    vf u = _mm256_fmsub_ps(t, n.hi, s);
    vf v = _mm256_fnmadd_ps(d.lo, t, _mm256_fnmadd_ps(d.hi, t, splat(1.0f)));
    return (vf2){s, _mm256_fmadd_ps(s, v, _mm256_fmadd_ps(n.lo, t, u))};
}

// SLEEF's log1pf, 1.0 ulp, for the arguments softplus gives it (exp of at most `threshold`, far below 1e38).
VM_INLINE vf vm_log1pf(vf d) {
    vf dp1 = _mm256_add_ps(d, splat(1.0f));
    vf tiny = lt(dp1, splat(1.17549435e-38f));
    dp1 = sel(tiny, _mm256_mul_ps(dp1, splat(18446744073709551616.0f)), dp1);
    vi e = _mm256_castps_si256(_mm256_mul_ps(dp1, splat(1.0f / 0.75f)));
    e = _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(e, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(0x7f));
    // t = 2^-e by adding -e to the exponent field of 1.0.
    vf t = _mm256_castsi256_ps(
        _mm256_add_epi32(_mm256_castps_si256(splat(1.0f)), _mm256_slli_epi32(_mm256_sub_epi32(_mm256_setzero_si256(), e), 23)));
    vf m = _mm256_fmadd_ps(d, t, _mm256_sub_ps(t, splat(1.0f)));
    e = _mm256_castps_si256(sel(tiny, _mm256_castsi256_ps(_mm256_sub_epi32(e, _mm256_set1_epi32(64))), _mm256_castsi256_ps(e)));
    vf2 s = df_mul_df_f((vf2){splat(0.69314718246459960938f), splat(-1.904654323148236017e-09f)}, _mm256_cvtepi32_ps(e));

    vf2 x = df_div((vf2){m, splat(0.0f)}, df_add_f_f(splat(2.0f), m));
    vf x2 = _mm256_mul_ps(x.hi, x.hi);
    vf p = splat(+0.3027294874e+0f);
    p = _mm256_fmadd_ps(p, x2, splat(+0.3996108174e+0f));
    p = _mm256_fmadd_ps(p, x2, splat(+0.6666694880e+0f));

    s = df_add_df_df(s, df_scale(x, splat(2.0f)));
    s = df_add_df_f(s, _mm256_mul_ps(_mm256_mul_ps(x2, x.hi), p));
    vf r = _mm256_add_ps(s.hi, s.lo);

    r = sel(lt(splat(1e+38f), d), splat(INFINITY), r);
    r = _mm256_or_ps(lt(d, splat(-1.0f)), r);  // NaN below -1
    r = sel(eq(d, splat(-1.0f)), splat(-INFINITY), r);
    vf negzero = _mm256_castsi256_ps(
        _mm256_cmpeq_epi32(_mm256_castps_si256(d), _mm256_castps_si256(splat(-0.0f))));
    r = sel(negzero, splat(-0.0f), r);
    // PyTorch's SLEEF build answers a NaN argument with the positive quiet NaN, whatever the argument's sign.
    return sel(_mm256_cmp_ps(d, d, _CMP_UNORD_Q), _mm256_castsi256_ps(_mm256_set1_epi32(0x7fc00000)), r);
}

// oneDNN's exp for its eltwise injector (jit_uni_eltwise_injector.cpp, exp_compute_vector_fwd): x clamped to the
// float range, n = floor(x log2 e + 1/2), a degree-5 polynomial of the remainder, scaled by 2 * 2^(n-1).
VM_INLINE vf dnnl_expf(vf x) {
    vf ln_flt_min = _mm256_castsi256_ps(_mm256_set1_epi32((int)0xc2aeac50));
    vf underflow = _mm256_cmp_ps(x, ln_flt_min, _CMP_LT_OS);
    x = _mm256_min_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x42b17218)));
    x = _mm256_max_ps(x, ln_flt_min);
    vf fx = _mm256_add_ps(_mm256_mul_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x3fb8aa3b))), splat(0.5f));
    fx = _mm256_round_ps(fx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    vf r = _mm256_fnmadd_ps(fx, _mm256_castsi256_ps(_mm256_set1_epi32(0x3f317218)), x);
    vi e = _mm256_cvtps_epi32(_mm256_sub_ps(fx, splat(1.0f)));
    vf scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
    scale = _mm256_andnot_ps(underflow, scale);
    vf p = _mm256_castsi256_ps(_mm256_set1_epi32(0x3c07cfce));
    p = _mm256_fmadd_ps(p, r, _mm256_castsi256_ps(_mm256_set1_epi32(0x3d2b9d0d)));
    p = _mm256_fmadd_ps(p, r, _mm256_castsi256_ps(_mm256_set1_epi32(0x3e2aad40)));
    p = _mm256_fmadd_ps(p, r, _mm256_castsi256_ps(_mm256_set1_epi32(0x3efffee3)));
    p = _mm256_fmadd_ps(p, r, _mm256_castsi256_ps(_mm256_set1_epi32(0x3f7ffffb)));
    p = _mm256_fmadd_ps(p, r, splat(1.0f));
    return _mm256_mul_ps(_mm256_mul_ps(p, scale), splat(2.0f));
}

// oneDNN's gelu_erf (gelu_erf_compute_vector_fwd): the Abramowitz-Stegun erf with oneDNN's exp, and
// 0.5 x (1 + erf) computed as one multiply-add of 0.5 x.
VM_INLINE vf dnnl_gelu_erf(vf s) {
    vf sign_mask = splat(-0.0f), one = splat(1.0f);
    vf x = _mm256_mul_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32(0x3f3504f3)));
    vf ax = _mm256_andnot_ps(sign_mask, x);
    vf t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_set1_epi32(0x3ea7ba05)), ax, one));
    vf e = dnnl_expf(_mm256_xor_ps(_mm256_mul_ps(x, x), sign_mask));
    e = _mm256_mul_ps(_mm256_xor_ps(e, sign_mask), t);
    vf pol = _mm256_castsi256_ps(_mm256_set1_epi32(0x3f87dc22));
    pol = _mm256_fmadd_ps(pol, t, _mm256_castsi256_ps(_mm256_set1_epi32((int)0xbfba00e3)));
    pol = _mm256_fmadd_ps(pol, t, _mm256_castsi256_ps(_mm256_set1_epi32(0x3fb5f0e3)));
    pol = _mm256_fmadd_ps(pol, t, _mm256_castsi256_ps(_mm256_set1_epi32((int)0xbe91a98e)));
    pol = _mm256_fmadd_ps(pol, t, _mm256_castsi256_ps(_mm256_set1_epi32(0x3e827906)));
    vf erf = _mm256_xor_ps(_mm256_fmadd_ps(e, pol, one), _mm256_and_ps(s, sign_mask));
    vf half = _mm256_mul_ps(s, splat(0.5f));
    return _mm256_fmadd_ps(erf, half, half);
}

// oneDNN's gelu_erf derivative (gelu_erf_compute_vector_bwd), times the incoming gradient:
// 0.5 (1 + erf(r)) + r exp(-r^2) / sqrt(pi) with r = s / sqrt(2).
VM_INLINE vf dnnl_gelu_erf_backward(vf dy, vf s) {
    vf sign_mask = splat(-0.0f), one = splat(1.0f), half = splat(0.5f);
    vf r = _mm256_mul_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32(0x3f3504f3)));
    vf q = dnnl_expf(_mm256_xor_ps(_mm256_mul_ps(r, r), sign_mask));
    vf t = _mm256_mul_ps(_mm256_mul_ps(r, _mm256_castsi256_ps(_mm256_set1_epi32(0x3f106eba))), q);
    vf w = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_set1_epi32(0x3ea7ba05)),
                                              _mm256_andnot_ps(sign_mask, r), one));
    vf qw = _mm256_mul_ps(_mm256_xor_ps(q, sign_mask), w);
    vf pol = _mm256_castsi256_ps(_mm256_set1_epi32(0x3f87dc22));
    pol = _mm256_fmadd_ps(pol, w, _mm256_castsi256_ps(_mm256_set1_epi32((int)0xbfba00e3)));
    pol = _mm256_fmadd_ps(pol, w, _mm256_castsi256_ps(_mm256_set1_epi32(0x3fb5f0e3)));
    pol = _mm256_fmadd_ps(pol, w, _mm256_castsi256_ps(_mm256_set1_epi32((int)0xbe91a98e)));
    pol = _mm256_fmadd_ps(pol, w, _mm256_castsi256_ps(_mm256_set1_epi32(0x3e827906)));
    vf erf = _mm256_xor_ps(_mm256_fmadd_ps(pol, qw, one), _mm256_and_ps(r, sign_mask));
    vf d = _mm256_fmadd_ps(erf, half, _mm256_add_ps(t, half));
    return _mm256_mul_ps(dy, d);
}

// SLEEF's exp for doubles (xexp, AVX2 with FMA): reduction by ln 2 and a degree-10 polynomial in SLEEF's Estrin
// grouping, then 1 + s + s^2 (...) by three multiply-adds.
typedef __m256d vd;
VM_INLINE vd vd_splat(double d) { return _mm256_set1_pd(d); }
VM_INLINE vd fma_dc(vd x, double c1, double c0) { return _mm256_fmadd_pd(x, vd_splat(c1), vd_splat(c0)); }
VM_INLINE vd pow2i_d(__m128i q) {
    __m256i e = _mm256_add_epi64(_mm256_cvtepi32_epi64(q), _mm256_set1_epi64x(0x3ff));
    return _mm256_castsi256_pd(_mm256_slli_epi64(e, 52));
}
VM_INLINE vd vm_exp(vd d) {
    vd u = _mm256_round_pd(_mm256_mul_pd(d, vd_splat(1.442695040888963407359924681001892137426645954152985934135449406931)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m128i q = _mm256_cvtpd_epi32(u);
    vd s = _mm256_fmadd_pd(u, vd_splat(-.69314718055966295651160180568695068359375), d);
    s = _mm256_fmadd_pd(u, vd_splat(-.28235290563031577122588448175013436025525412068e-12), s);
    vd s2 = _mm256_mul_pd(s, s), s4 = _mm256_mul_pd(s2, s2), s8 = _mm256_mul_pd(s4, s4);
    vd hi4 = _mm256_fmadd_pd(s2, fma_dc(s, +0.2755762628169491192e-6, +0.2755723402025388239e-5),
                             fma_dc(s, +0.2480158687479686264e-4, +0.1984126989855865850e-3));
    vd lo4 = _mm256_fmadd_pd(s2, fma_dc(s, +0.1388888888914497797e-2, +0.8333333333314938210e-2),
                             fma_dc(s, +0.4166666666666602598e-1, +0.1666666666666669072e+0));
    vd p8 = _mm256_fmadd_pd(s4, hi4, lo4);
    u = _mm256_fmadd_pd(s8, fma_dc(s, +0.2081276378237164457e-8, +0.2511210703042288022e-7), p8);
    u = _mm256_fmadd_pd(u, s, vd_splat(0.5));
    u = _mm256_fmadd_pd(u, s, vd_splat(1.0));
    u = _mm256_fmadd_pd(u, s, vd_splat(1.0));
    __m128i half = _mm_srai_epi32(q, 1);
    u = _mm256_mul_pd(_mm256_mul_pd(u, pow2i_d(half)), pow2i_d(_mm_sub_epi32(q, half)));
    u = _mm256_blendv_pd(u, vd_splat(INFINITY), _mm256_cmp_pd(d, vd_splat(0x1.62e42fefa39efp+9), _CMP_GT_OQ));
    return _mm256_andnot_pd(_mm256_cmp_pd(d, vd_splat(-1000.0), _CMP_LT_OQ), u);
}

VM_INLINE vd neg_d(vd v) {
    v = _mm256_xor_pd(v, _mm256_set1_pd(-0.0));
    __asm__("" : "+x"(v));
    return v;
}

// VM_LOOP for doubles: blocks of two 4-double vectors.
#define VM_LOOP_D(VEC, SCALAR)                                \
    ptrdiff_t i = 0;                                          \
    for (; i + 4 <= nvec; i += 4) {                           \
        vd v = _mm256_loadu_pd(x + i);                        \
        _mm256_storeu_pd(y + i, VEC);                         \
    }                                                         \
    if (i < nvec) {                                           \
        double buf[4] = {0, 0, 0, 0};                         \
        for (ptrdiff_t k = 0; k < nvec - i; k++) buf[k] = x[i + k]; \
        vd v = _mm256_loadu_pd(buf);                          \
        _mm256_storeu_pd(buf, VEC);                           \
        for (ptrdiff_t k = 0; k < nvec - i; k++) y[i + k] = buf[k]; \
        i = nvec;                                             \
    }                                                         \
    for (; i < n; i++) {                                      \
        double a = x[i];                                      \
        y[i] = SCALAR;                                        \
    }

static VM_TARGET void sigmoid_f64_avx2(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec) {
    VM_LOOP_D(_mm256_div_pd(vd_splat(1.0), _mm256_add_pd(vm_exp(neg_d(v)), vd_splat(1.0))), 1.0 / (1.0 + exp(-a)))
}

static VM_TARGET void silu_f64_avx2(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec) {
    VM_LOOP_D(_mm256_div_pd(v, _mm256_add_pd(vd_splat(1.0), vm_exp(neg_d(v)))), a / (1.0 + exp(-a)))
}

// The first `nvec` elements through the vector arithmetic `VEC` (of `v`), the rest through the scalar `SCALAR` (of
// `a`). Lanes are independent, so a block's position does not matter; a last partial block goes through a padded copy.
#define VM_LOOP(VEC, SCALAR)                                  \
    ptrdiff_t i = 0;                                          \
    for (; i + 8 <= nvec; i += 8) {                           \
        vf v = _mm256_loadu_ps(x + i);                        \
        _mm256_storeu_ps(y + i, VEC);                         \
    }                                                         \
    if (i < nvec) {                                           \
        float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};              \
        for (ptrdiff_t k = 0; k < nvec - i; k++) buf[k] = x[i + k]; \
        vf v = _mm256_loadu_ps(buf);                          \
        _mm256_storeu_ps(buf, VEC);                           \
        for (ptrdiff_t k = 0; k < nvec - i; k++) y[i + k] = buf[k]; \
        i = nvec;                                             \
    }                                                         \
    for (; i < n; i++) {                                      \
        float a = x[i];                                       \
        y[i] = SCALAR;                                        \
    }

static VM_TARGET void sigmoid_avx2(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec) {
    // Vectorized: (-a).exp() + 1, then reciprocal() (a division of 1). The negation flips a NaN's sign too.
    VM_LOOP(_mm256_div_ps(splat(1.0f), _mm256_add_ps(vm_expf(neg(v)), splat(1.0f))),
            1.0f / (1.0f + expf(-a)))
}

static VM_TARGET void silu_avx2(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec) {
    VM_LOOP(_mm256_div_ps(v, _mm256_add_ps(splat(1.0f), vm_expf(neg(v)))),
            a / (1.0f + expf(-a)))
}

static VM_TARGET void softplus_avx2(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec, float beta, float threshold) {
    vf vbeta = splat(beta), vthreshold = splat(threshold);
    VM_LOOP(sel(_mm256_cmp_ps(_mm256_mul_ps(v, vbeta), vthreshold, _CMP_GT_OQ), v,
                _mm256_div_ps(vm_log1pf(vm_expf(_mm256_mul_ps(v, vbeta))), vbeta)),
            (a * beta) > threshold ? a : log1pf(expf(a * beta)) / beta)
}

// VM_LOOP for two inputs: `v`/`a` from `x`, `w`/`b` from `x2`.
#define VM_LOOP2(VEC, SCALAR)                                 \
    ptrdiff_t i = 0;                                          \
    for (; i + 8 <= nvec; i += 8) {                           \
        vf v = _mm256_loadu_ps(x + i);                        \
        vf w = _mm256_loadu_ps(x2 + i);                       \
        _mm256_storeu_ps(y + i, VEC);                         \
    }                                                         \
    if (i < nvec) {                                           \
        float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};              \
        float buf2[8] = {0, 0, 0, 0, 0, 0, 0, 0};             \
        for (ptrdiff_t k = 0; k < nvec - i; k++) {            \
            buf[k] = x[i + k];                                \
            buf2[k] = x2[i + k];                              \
        }                                                     \
        vf v = _mm256_loadu_ps(buf);                          \
        vf w = _mm256_loadu_ps(buf2);                         \
        _mm256_storeu_ps(buf, VEC);                           \
        for (ptrdiff_t k = 0; k < nvec - i; k++) y[i + k] = buf[k]; \
        i = nvec;                                             \
    }                                                         \
    for (; i < n; i++) {                                      \
        float a = x[i], b = x2[i];                            \
        y[i] = SCALAR;                                        \
    }

// silu_backward(dy, x): dy * s * (1 + x * (1 - s)); GCC fuses the inner multiply-add in both lambdas.
VM_INLINE vf silu_backward_vec(vf dy, vf v) {
    vf one = splat(1.0f);
    vf s = _mm256_div_ps(one, _mm256_add_ps(one, vm_expf(neg(v))));
    return _mm256_mul_ps(_mm256_mul_ps(dy, s), _mm256_fmadd_ps(v, _mm256_sub_ps(one, s), one));
}
static inline float silu_backward_scalar(float dy, float a) {
    float s = 1.0f / (1.0f + expf(-a));
    return dy * s * fmaf(a, 1.0f - s, 1.0f);
}
static VM_TARGET void silu_backward_avx2(const float *x, const float *x2, float *y, ptrdiff_t n, ptrdiff_t nvec) {
    VM_LOOP2(silu_backward_vec(v, w), silu_backward_scalar(a, b))
}

// softplus_backward(dy, x): dy * z / (z + 1) with z = exp(x * beta), dy itself above the threshold.
static VM_TARGET void softplus_backward_avx2(const float *x, const float *x2, float *y, ptrdiff_t n, ptrdiff_t nvec,
                                             float beta, float threshold) {
    vf vbeta = splat(beta), vthreshold = splat(threshold);
    VM_LOOP2(sel(_mm256_cmp_ps(_mm256_mul_ps(w, vbeta), vthreshold, _CMP_GT_OQ), v,
                 _mm256_div_ps(_mm256_mul_ps(v, vm_expf(_mm256_mul_ps(w, vbeta))),
                               _mm256_add_ps(vm_expf(_mm256_mul_ps(w, vbeta)), splat(1.0f)))),
             (b * beta) > threshold ? a : a * expf(b * beta) / (expf(b * beta) + 1.0f))
}

static VM_TARGET void gelu_dnnl_avx2(const float *x, float *y, ptrdiff_t n) {
    ptrdiff_t nvec = n;
    VM_LOOP(dnnl_gelu_erf(v), a)
}

static VM_TARGET void gelu_dnnl_backward_avx2(const float *x, const float *x2, float *y, ptrdiff_t n) {
    ptrdiff_t nvec = n;
    VM_LOOP2(dnnl_gelu_erf_backward(v, w), ((void)b, a))
}

static int has_avx2(void) { return ck_gemm_isa() >= 1; }

int ck_vm_sigmoid_f64(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec) {
    if (!has_avx2()) return 0;
    sigmoid_f64_avx2(x, y, n, nvec);
    return 1;
}

int ck_vm_silu_f64(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec) {
    if (!has_avx2()) return 0;
    silu_f64_avx2(x, y, n, nvec);
    return 1;
}

int ck_vm_sigmoid_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec) {
    if (!has_avx2()) return 0;
    sigmoid_avx2(x, y, n, nvec);
    return 1;
}

int ck_vm_silu_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec) {
    if (!has_avx2()) return 0;
    silu_avx2(x, y, n, nvec);
    return 1;
}

int ck_vm_softplus_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec, float beta, float threshold) {
    if (!has_avx2()) return 0;
    softplus_avx2(x, y, n, nvec, beta, threshold);
    return 1;
}

int ck_vm_gelu_dnnl_f32(const float *x, float *y, ptrdiff_t n) {
    if (!has_avx2()) return 0;
    gelu_dnnl_avx2(x, y, n);
    return 1;
}

int ck_vm_gelu_dnnl_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n) {
    if (!has_avx2()) return 0;
    gelu_dnnl_backward_avx2(dy, x, out, n);
    return 1;
}

int ck_vm_silu_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec) {
    if (!has_avx2()) return 0;
    silu_backward_avx2(dy, x, out, n, nvec);
    return 1;
}

int ck_vm_softplus_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec, float beta,
                                float threshold) {
    if (!has_avx2()) return 0;
    softplus_backward_avx2(dy, x, out, n, nvec, beta, threshold);
    return 1;
}

#else

int ck_vm_sigmoid_f64(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec) { return 0; }
int ck_vm_silu_f64(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec) { return 0; }
int ck_vm_gelu_dnnl_f32(const float *x, float *y, ptrdiff_t n) { return 0; }
int ck_vm_silu_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec) { return 0; }
int ck_vm_softplus_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec, float beta,
                                float threshold) { return 0; }
int ck_vm_sigmoid_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec) { return 0; }
int ck_vm_silu_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec) { return 0; }
int ck_vm_softplus_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec, float beta, float threshold) { return 0; }

#endif

// Plain C on every architecture: the scalar lambdas of ATen's GeluKernelImpl and GeluBackwardKernelImpl.
float ck_vm_gelu_scalar_f32(float x) { return x * 0.5f * (1.0f + erff(x * (float)M_SQRT1_2)); }

float ck_vm_gelu_backward_scalar_f32(float dy, float x) {
    const float beta = (float)(M_2_SQRTPI * M_SQRT1_2 * 0.5);
    const float alpha = (float)M_SQRT1_2;
    float cdf = 0.5f * (1.0f + erff(x * alpha));
    float pdf = beta * expf(x * x * -0.5f);
    return dy * (cdf + x * pdf);
}
