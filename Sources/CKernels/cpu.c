#include "gemm_internal.h"

#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// The CPU must have the instructions and the OS must save the wider registers on context switch (XGETBV), or an
// AVX instruction faults even though CPUID lists it.
static int detect(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return CK_ISA_GENERIC;
    int osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1;
    if (!osxsave || !avx || !fma) return CK_ISA_GENERIC;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6) != 0x6) return CK_ISA_GENERIC;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return CK_ISA_GENERIC;
    int avx2 = (ebx >> 5) & 1, avx512f = (ebx >> 16) & 1;
    if (avx512f && (xcr0_lo & 0xe0) == 0xe0) return CK_ISA_AVX512;
    return avx2 ? CK_ISA_AVX2 : CK_ISA_GENERIC;
}
#else
static int detect(void) { return CK_ISA_GENERIC; }
#endif

// -1 until first use; detection is idempotent, so a race only repeats it.
static _Atomic int detected = -1;

int ck_detect_isa(void) {
    int isa = atomic_load_explicit(&detected, memory_order_relaxed);
    if (isa < 0) {
        isa = detect();
        atomic_store_explicit(&detected, isa, memory_order_relaxed);
    }
    return isa;
}
