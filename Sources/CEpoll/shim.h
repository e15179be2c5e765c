// Linux's readiness API, which Swift's Glibc module does not export: the HTTP server's I/O loops (IOLoop.swift).
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/// Asks the kernel for a shorter time slice for the calling thread (Linux 6.6+ EEVDF: `sched_runtime` of a
/// SCHED_OTHER thread; Linux 6.12+ lets a woken thread with a shorter slice preempt the running one). Keeps the
/// thread's policy and nice value: reads its attributes first and changes only the slice. Returns 0 or an errno
/// (ENOSYS on kernels without the calls, EPERM under seccomp filters that refuse them); `syscall` is variadic,
/// which Swift cannot call, hence this wrapper.
static inline int cepoll_set_thread_slice(uint64_t nanoseconds) {
    struct {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
    } attr = {0};
    if (syscall(SYS_sched_getattr, 0, &attr, (unsigned)sizeof attr, 0) != 0) return errno;
    if (attr.policy != 0 /* SCHED_OTHER */) return EINVAL;
    attr.size = sizeof attr;
    attr.flags &= 0x01; /* SCHED_FLAG_RESET_ON_FORK stays as it was */
    attr.runtime = nanoseconds;
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) return errno;
    return 0;
}

#include <sys/prctl.h>

/// Names the calling thread (at most 15 bytes), for `top -H` and `ps -L`; `prctl` is variadic too.
static inline int cepoll_name_thread(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}
