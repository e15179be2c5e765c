#include "ckernels.h"

#include <pthread.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

// A fresh multi-megabyte malloc is a new mmap, and its first write takes one page fault per 4 KiB page: writing a
// 64 MiB result that way runs at about a quarter of memcpy's bandwidth on this machine. Two remedies, both for
// large blocks only:
// - transparent huge pages (2 MiB, enabled here in "madvise" mode) take 512 times fewer faults, which brings a
//   fresh-output add close to memcpy speed (NumPy advises huge pages for large arrays too);
// - a few freed large blocks are kept for the next allocation of the same rounded size, so a loop of same-shaped
//   ops (every training step) reuses memory that is already mapped and faults nothing.
enum { HUGE_PAGE = 2 << 20, LARGE = 4 << 20, CACHE_SLOTS = 8 };
static const size_t CACHE_LIMIT = (size_t)256 << 20;

static struct {
    pthread_mutex_t lock;
    void *block[CACHE_SLOTS];
    size_t size[CACHE_SLOTS];
    size_t total;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t large_size(size_t bytes) { return (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE; }

void *ck_alloc(size_t bytes) {
    if (bytes < LARGE) {
        size_t rounded = (bytes + 63) / 64 * 64;
        if (rounded < bytes) return NULL;
        return aligned_alloc(64, rounded ? rounded : 64);
    }
    size_t rounded = large_size(bytes);
    if (rounded < bytes) return NULL;
    void *p = NULL;
    pthread_mutex_lock(&cache.lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (cache.block[i] && cache.size[i] == rounded) {
            p = cache.block[i];
            cache.block[i] = NULL;
            cache.total -= rounded;
            break;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    if (p) return p;
    p = aligned_alloc(HUGE_PAGE, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p) madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

void ck_free(void *p, size_t bytes) {
    if (!p) return;
    if (bytes >= LARGE) {
        size_t rounded = large_size(bytes);
        pthread_mutex_lock(&cache.lock);
        for (int i = 0; i < CACHE_SLOTS; i++) {
            if (!cache.block[i] && cache.total + rounded <= CACHE_LIMIT) {
                cache.block[i] = p;
                cache.size[i] = rounded;
                cache.total += rounded;
                p = NULL;
                break;
            }
        }
        pthread_mutex_unlock(&cache.lock);
        if (!p) return;
    }
    free(p);
}
