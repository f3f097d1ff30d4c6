/* fb: the policy demo's framebuffer guest. vmm-lite's `--framebuffer 64x48` puts a 64 x 48 a8r8g8b8
 * simple-framebuffer (stride 256) at 0x0f00_0000, a hole in QEMU's virt map. The guest maps it with the MMU as
 * Tagged Normal (so its tag accesses really are tag accesses) and:
 *  1. probes it with one store: nothing there (QEMU, or vmm-lite without --framebuffer) gives a synchronous
 *     External abort, and the guest stops;
 *  2. draws a pattern with plain stores and prints a checksum of what it reads back;
 *  3. with MTE: STG tag 3 on the first granule and LDG it back, then a tag-checked load (SCTLR_EL1.TCF = 1) with
 *     pointer tag 5. What happens depends on how the hypervisor mapped the framebuffer (see examples/policy-matrix).
 * The ELF has no device tree pointer (QEMU passes none to ELF kernels), so the geometry is fixed here. */
#include "guest.h"
#include "mmu.h"

#define SCTLR_ATA    (1UL << 43)
#define SCTLR_TCF(x) ((u64)(x) << 40)
#define TCR_TBI0     (1UL << 37)
#define FB           0x0f000000UL
#define FB_W         64
#define FB_H         48
#define FB_STRIDE    (FB_W * 4)
#define FB_PAGES     ((FB_STRIDE * FB_H + 4095) / 4096)

extern volatile u64 exc_count;

static u64 ldg(u64 p)
{
    u64 t = p & ~(0xfUL << 56);
    __asm__ volatile("ldg %0, [%1]" : "+r"(t) : "r"(p) : "memory");
    return (t >> 56) & 0xf;
}

static void set_sctlr(u64 extra)
{
    __asm__ volatile("msr sctlr_el1, %0\n\tisb" ::"r"((u64)(SCTLR_BASE | SCTLR_M | SCTLR_C | SCTLR_I) | extra)
                     : "memory");
}

int main(void)
{
    u64 pfr1;
    __asm__ volatile("mrs %0, id_aa64pfr1_el1" : "=r"(pfr1));
    int mte = ((pfr1 >> 8) & 0xf) >= 2;

    mmu_init();
    mmu_identity_map();
    for (u64 off = 0; off < FB_PAGES * 4096UL; off += 4096)
        mmu_map_page(FB + off, FB + off, PTE_ATTR(mte ? MT_NORMAL_TAGGED : MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
    mmu_enable();
    __asm__ volatile("msr tcr_el1, %0\n\tisb\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::"r"(TCR_VALUE | TCR_TBI0) : "memory");
    if (mte) {
        __asm__ volatile("msr gcr_el1, %0\n\tmsr tco, #0\n\tisb" ::"r"(0x0001UL));
        set_sctlr(SCTLR_ATA);
    }

    print_str("fb: probing the framebuffer at 0x0f000000\n");
    u64 before = exc_count;
    *(volatile u32 *)FB = 0xff000000;
    if (exc_count != before) {
        print_str("fb: no framebuffer\n");
        return 0;
    }
    volatile u32 *px = (volatile u32 *)FB;
    for (u32 y = 0; y < FB_H; y++)
        for (u32 x = 0; x < FB_W; x++)
            px[y * FB_W + x] = 0xff000000 | ((x * 4) << 16) | ((y * 5) << 8) | (((x ^ y) & 8) ? 0xc0 : 0x30);
    u64 sum = 0;
    for (u32 i = 0; i < FB_W * FB_H; i++)
        sum = sum * 33 + px[i];
    print_kv("fb: pixels drawn, checksum", sum);
    if (!mte) {
        print_str("fb: no MTE\n");
        return 0;
    }
    print_str("fb: STG tag 3 on the first granule\n");
    u64 p = FB | (3UL << 56);
    __asm__ volatile("stg %0, [%0]" ::"r"(p) : "memory");
    print_kv("fb: LDG reads tag", ldg(FB));
    print_str("fb: tag-checked load with pointer tag 5\n");
    set_sctlr(SCTLR_ATA | SCTLR_TCF(1));
    u64 v = *(volatile u64 *)(FB | (5UL << 56));
    set_sctlr(SCTLR_ATA);
    print_kv("fb: loaded", v);
    print_str("fb: done\n");
    return 0;
}
