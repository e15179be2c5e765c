#ifndef CKERNELS_VECMATH_H
#define CKERNELS_VECMATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// float32 activations computed the way PyTorch's AVX2 CPU kernels compute them, bit for bit. PyTorch runs a
/// contiguous inner loop as a vectorised body in blocks of 16 (SLEEF's u10 approximations) and a scalar tail of
/// up to 15 elements (glibc's expf, log1pf). Each call computes `n`
/// contiguous floats, the first `nvec` of them with the vector arithmetic and the rest with the scalar one; the
/// caller works out which elements PyTorch's loop (and its parallel_for split) gives to which.
/// Returns 0 (and writes nothing) when this CPU lacks AVX2+FMA; the caller then keeps its portable formula.
int ck_vm_sigmoid_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_silu_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_softplus_f32(const float *x, float *y, ptrdiff_t n, ptrdiff_t nvec, float beta, float threshold);
/// float64 sigmoid and silu: PyTorch's AVX2 loop over doubles, a vector body in blocks of 8 (SLEEF's exp u10) and
/// a scalar tail of up to 7 (glibc's exp).
int ck_vm_sigmoid_f64(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_silu_f64(const double *x, double *y, ptrdiff_t n, ptrdiff_t nvec);
/// gelu (erf) as oneDNN computes it, which PyTorch uses for contiguous float32 tensors of more than one element:
/// every element through the same vector arithmetic, whatever its position.
int ck_vm_gelu_dnnl_f32(const float *x, float *y, ptrdiff_t n);
/// Its gradient from `dy` and the saved input `x` (oneDNN's eltwise backward).
int ck_vm_gelu_dnnl_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n);

/// ATen's scalar gelu (erf) and its derivative, which a one-element tensor gets (oneDNN takes more elements only).
float ck_vm_gelu_scalar_f32(float x);
float ck_vm_gelu_backward_scalar_f32(float dy, float x);

/// The gradients PyTorch's silu_backward and softplus_backward kernels compute from `dy` and the saved input `x`.
int ck_vm_silu_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec);
int ck_vm_softplus_backward_f32(const float *dy, const float *x, float *out, ptrdiff_t n, ptrdiff_t nvec, float beta,
                                float threshold);

#ifdef __cplusplus
}
#endif

#endif
