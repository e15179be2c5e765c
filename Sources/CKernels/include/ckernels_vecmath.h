#ifndef CKERNELS_VECMATH_H
#define CKERNELS_VECMATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// float32 activations computed the way PyTorch's AVX2 CPU kernels compute them, bit for bit. PyTorch runs a
/// contiguous inner loop as a vectorised body in blocks of 16 (SLEEF's u10 approximations, ATen's own erf
/// polynomial) and a scalar tail of up to 15 elements (glibc's expf, log1pf, erff). Each call computes `n`
/// contiguous floats, the first `nvec` of them with the vector arithmetic and the rest with the scalar one; the
/// caller works out which elements PyTorch's loop (and its parallel_for split) gives to which.
/// Returns 0 (and writes nothing) when this CPU lacks AVX2+FMA; the caller then keeps its portable formula.
int ck_vm_sigmoid_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_silu_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_softplus_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec, float beta, float threshold);
/// approximate: 0 for erf ("none"), 1 for "tanh".
int ck_vm_gelu_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec, int approximate);
/// The gradients PyTorch's silu_backward and softplus_backward kernels compute from `dy` and the saved input `x`.
int ck_vm_silu_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_softplus_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec, float beta,
                                float threshold);

#ifdef __cplusplus
}
#endif

#endif
