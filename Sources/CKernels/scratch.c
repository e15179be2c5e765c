#include "ckernels.h"
#include "gemm_internal.h"

#include <pthread.h>
#include <stdlib.h>

// Packing buffers kept per thread from one GEMM to the next. A fresh multi-megabyte buffer per call is a new mmap
// whose every 4 KiB page faults and is cleared on first write (4% of a 1024^3 product's time, measured with perf);
// a kept buffer is already mapped, and one of 4 MiB or more comes from ck_alloc on huge pages, which also spares
// the micro-kernel TLB misses while it streams packed B.

// Larger requests are served and released per call, so an idle thread does not hold more than this per slot.
static const size_t KEEP_LIMIT = (size_t)16 << 20;

typedef struct {
    void *p;
    size_t bytes;
    int busy;
} slot;

static _Thread_local slot slots[CK_SCRATCH_SLOTS];
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

// Runs when a thread that used scratch exits (Dispatch retires idle workers), before its thread-local storage goes.
static void release_all(void *thread_slots) {
    slot *s = thread_slots;
    for (int i = 0; i < CK_SCRATCH_SLOTS; i++) {
        ck_free(s[i].p, s[i].bytes);
        s[i] = (slot){0};
    }
}

static void make_key(void) { pthread_key_create(&exit_key, release_all); }

void *ck_scratch_take(int index, size_t bytes) {
    slot *s = &slots[index];
    if (s->busy || bytes > KEEP_LIMIT) return ck_alloc(bytes);
    if (s->bytes < bytes) {
        ck_free(s->p, s->bytes);
        // Some headroom, so a slowly growing sequence of shapes does not reallocate every call.
        size_t grown = bytes + bytes / 4;
        if (grown > KEEP_LIMIT) grown = bytes;
        s->p = ck_alloc(grown);
        s->bytes = s->p ? grown : 0;
        if (!s->p) return NULL;
        pthread_once(&exit_once, make_key);
        pthread_setspecific(exit_key, slots);
    }
    s->busy = 1;
    return s->p;
}

void ck_scratch_give(int index, void *p, size_t bytes) {
    slot *s = &slots[index];
    if (p && p == s->p) {
        s->busy = 0;
        return;
    }
    ck_free(p, bytes);
}
