#ifndef CKERNELS_COPY_H
#define CKERNELS_COPY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Copies the elements of a strided source view into a strided destination view of the same shape, bit for bit.
/// `elem` is the element size in bytes (4 or 8); shapes and strides count elements, and a source stride may be 0
/// (broadcast). A transposed pair (destination rows contiguous, source columns contiguous) goes through
/// cache-sized tiles, 8x8 AVX2 transposes for 4-byte elements when the CPU has them, instead of one cache miss per
/// element. The views must not overlap. `part` of `parts` (0 <= part < parts) copies only its share of the outermost
/// dimension (after merging dimensions that are contiguous in both views), so `parts` threads can split one copy;
/// parts write disjoint elements unless the destination itself repeats elements (a stride of 0).
void ck_copy_strided(size_t elem, int rank, const ptrdiff_t *shape, void *dst, const ptrdiff_t *dst_strides,
                     const void *src, const ptrdiff_t *src_strides, ptrdiff_t part, ptrdiff_t parts);

#ifdef __cplusplus
}
#endif

#endif
