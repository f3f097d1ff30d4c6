/* Helpers shared by the MTE guests (mte, mte-insn, mte-check, tagsum): tagged pointers, the tag instructions they
 * all use, SCTLR_EL1 with the MMU on, and 64-bit accesses the compiler cannot merge or drop. Each guest uses some. */
#ifndef MTE_H
#define MTE_H
#include "guest.h"
#include "mmu.h"

#define MTE_HELPER static __attribute__((unused))

MTE_HELPER void line(const char *s)
{
    print_str(s);
    newline();
}

MTE_HELPER u64 with_tag(u64 p, u64 tag)
{
    return (p & ~(0xfUL << 56)) | (tag << 56);
}

MTE_HELPER u64 tag_of(u64 p)
{
    return (p >> 56) & 0xf;
}

MTE_HELPER void set_sctlr(u64 extra)
{
    __asm__ volatile("msr sctlr_el1, %0\n\tisb" ::"r"((u64)(SCTLR_BASE | SCTLR_M | SCTLR_C | SCTLR_I) | extra)
                     : "memory");
}

MTE_HELPER void stg(u64 p)
{
    __asm__ volatile("stg %0, [%0]" ::"r"(p) : "memory");
}

MTE_HELPER u64 ld64(u64 p)
{
    u64 v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}

MTE_HELPER void st64(u64 p, u64 v)
{
    __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(p) : "memory");
}

MTE_HELPER u64 irg(u64 p, u64 excl)
{
    u64 r;
    __asm__ volatile("irg %0, %1, %2" : "=r"(r) : "r"(p), "r"(excl));
    return r;
}

#endif
