#ifndef CKERNELS_COPY_H
#define CKERNELS_COPY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Copies the elements of a strided array into another, bit for bit: for every index of `shape`,
/// dst[sum(index * dst_strides)] = src[sum(index * src_strides)]. Elements are `elem_size` bytes (4 or 8); strides
/// count elements (a source stride of 0 broadcasts). A transposed source (the common case: a gradient that
/// arrives as the transpose of a product) is copied in cache-sized tiles of 8x8 (float32) or 4x4 (float64) with
/// SIMD transposes, so both sides are read and written a cache line at a time.
/// Returns 0 and writes nothing when it cannot promise the element-by-element result: an element size other than
/// 4 or 8, a rank above 16, or a destination whose elements overlap (a stride of 0, as_strided); the caller then
/// keeps its own loop. The two arrays must not overlap each other.
int ck_copy_strided(size_t elem_size, int rank, const ptrdiff_t *shape, void *dst, const ptrdiff_t *dst_strides,
                    const void *src, const ptrdiff_t *src_strides);

#ifdef __cplusplus
}
#endif

#endif
