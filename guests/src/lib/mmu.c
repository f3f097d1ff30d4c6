/* Stage-1 page tables for the guests: see mmu.h. Tables come from a static pool in .bss (zeroed by start.S). */
#include "mmu.h"

#define POOL_TABLES 16

static u64 pool[POOL_TABLES][512] __attribute__((aligned(4096)));
static int pool_used;
static u64 *l1;

static u64 *alloc_table(void)
{
    if (pool_used == POOL_TABLES) {
        print_str("mmu: out of page tables\n");
        poweroff();
    }
    u64 *t = pool[pool_used++];
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return t;
}

void mmu_init(void)
{
    pool_used = 0;
    l1 = alloc_table();
}

static u64 index_at(u64 va, int level)
{
    return (va >> (12 + 9 * (3 - level))) & 511;
}

/* The table at `level` for va (level 1, 2 or 3), creating the tables above it. */
static u64 *table_for(u64 va, int level)
{
    u64 *t = l1;
    for (int l = 1; l < level; l++) {
        u64 *e = &t[index_at(va, l)];
        if ((*e & 3) != (PTE_VALID | PTE_TABLE)) {
            u64 *next = alloc_table();
            *e = (u64)next | PTE_VALID | PTE_TABLE;
        }
        t = (u64 *)(*e & PTE_ADDR_MASK);
    }
    return t;
}

static u64 leaf_bits(u64 flags)
{
    u64 d = (flags & ~MAP_NO_AF) | PTE_VALID | PTE_SH_INNER;
    if (!(flags & MAP_NO_AF))
        d |= PTE_AF;
    return d;
}

u64 *mmu_pte(u64 va)
{
    return &table_for(va, 3)[index_at(va, 3)];
}

void mmu_map_page(u64 va, u64 pa, u64 flags)
{
    *mmu_pte(va) = (pa & PTE_ADDR_MASK) | leaf_bits(flags) | PTE_PAGE;
}

void mmu_map_block(u64 va, u64 pa, u64 flags, int level)
{
    table_for(va, level)[index_at(va, level)] = (pa & PTE_ADDR_MASK) | leaf_bits(flags);
}

void mmu_unmap_page(u64 va)
{
    *mmu_pte(va) = 0;
}

void mmu_identity_map(void)
{
    for (u64 a = RAM_BASE; a < RAM_BASE + IDMAP_SIZE; a += 4096)
        mmu_map_page(a, a, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN);
    mmu_map_page(UART_BASE, UART_BASE, PTE_ATTR(MT_DEVICE_nGnRnE) | PTE_AP_RW_EL1 | PTE_PXN | PTE_UXN);
}

void tlbi_all(void)
{
    __asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
}

void tlbi_va(u64 va)
{
    __asm__ volatile("dsb ishst\n\ttlbi vae1is, %0\n\tdsb ish\n\tisb" ::"r"(va >> 12) : "memory");
}

void mmu_enable(void)
{
    __asm__ volatile(
        "msr mair_el1, %0\n\t"
        "msr tcr_el1, %1\n\t"
        "msr ttbr0_el1, %2\n\t"
        "dsb ish\n\t"
        "isb\n\t"
        "tlbi vmalle1is\n\t"
        "dsb ish\n\t"
        "isb\n\t"
        "msr sctlr_el1, %3\n\t"
        "isb"
        :
        : "r"(MAIR_VALUE), "r"(TCR_VALUE), "r"((u64)l1), "r"((u64)(SCTLR_BASE | SCTLR_M | SCTLR_C | SCTLR_I))
        : "memory");
}

void mmu_disable(void)
{
    __asm__ volatile("msr sctlr_el1, %0\n\tisb" ::"r"((u64)SCTLR_BASE) : "memory");
}
