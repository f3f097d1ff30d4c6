/* A small stage-1 MMU library for the guests (EL1&0 regime, TTBR0_EL1 only, 4 KiB granule, 39-bit VA:
 * translation starts at level 1; level 1 and 2 entries may be blocks of 1 GiB and 2 MiB, level 3 entries pages). */
#ifndef GUEST_MMU_H
#define GUEST_MMU_H
#include "guest.h"

/* MAIR_EL1 attribute indexes set by mmu_enable(). */
#define MT_DEVICE_nGnRnE 0   /* 0x00 */
#define MT_NORMAL        1   /* 0xff: Normal, Inner/Outer Write-Back non-transient, Read/Write-Allocate */
#define MT_NORMAL_TAGGED 2   /* 0xf0: Tagged Normal (MTE) */
#define MT_NORMAL_NC     3   /* 0x44: Normal, Inner/Outer Non-cacheable */
#define MAIR_VALUE       0x44f0ff00UL

/* TCR_EL1: T0SZ = 25 (39-bit VA), IRGN0 = ORGN0 = 1 (WB RA WA), SH0 = 3 (Inner Shareable), TG0 = 0 (4 KiB),
 * EPD1 = 1 (no TTBR1 walks), IPS = 0 (32-bit PA), TBI0 = 0, HA = HD = 0 (no hardware Access flag/dirty updates). */
#define TCR_VALUE        ((25UL << 0) | (1UL << 8) | (1UL << 10) | (3UL << 12) | (0UL << 14) | (1UL << 23))

/* Descriptor bits. */
#define PTE_VALID        (1UL << 0)
#define PTE_TABLE        (1UL << 1)   /* level 1/2: table; level 3: page */
#define PTE_PAGE         (1UL << 1)
#define PTE_ATTR(i)      ((u64)(i) << 2)
#define PTE_AP_RW_EL1    (0UL << 6)
#define PTE_AP_RW_ALL    (1UL << 6)
#define PTE_AP_RO_EL1    (2UL << 6)
#define PTE_AP_RO_ALL    (3UL << 6)
#define PTE_SH_INNER     (3UL << 8)
#define PTE_AF           (1UL << 10)
#define PTE_NG           (1UL << 11)
#define PTE_PXN          (1UL << 53)
#define PTE_UXN          (1UL << 54)
#define PTE_ADDR_MASK    0x0000fffffffff000UL

/* Flags for mmu_map_page/mmu_map_block: attribute index and permissions; valid, AF, SH are added
 * (pass MAP_NO_AF to leave the Access flag clear). */
#define MAP_NO_AF        (1UL << 63)  /* not a descriptor bit: a request to mmu_map_* */

#define RAM_BASE         0x40000000UL
#define IDMAP_SIZE       0x00400000UL /* the identity map covers the first 4 MiB of RAM (image, stack, tables) */

void mmu_init(void);                                  /* empty tables */
void mmu_map_page(u64 va, u64 pa, u64 flags);         /* a level 3 page */
void mmu_map_block(u64 va, u64 pa, u64 flags, int level); /* a level 1 (1 GiB) or level 2 (2 MiB) block */
void mmu_unmap_page(u64 va);                          /* invalidate a level 3 entry (creating its tables) */
u64 *mmu_pte(u64 va);                                 /* the level 3 entry for va (creating tables) */
void mmu_identity_map(void);  /* RAM_BASE..+IDMAP_SIZE Normal RWX at EL1, the PL011 page Device XN */
void mmu_enable(void);        /* MAIR, TCR, TTBR0, TLBI, SCTLR_EL1 M C I */
void mmu_disable(void);
void tlbi_all(void);
void tlbi_va(u64 va);

static inline void dsb_isb(void)
{
    __asm__ volatile("dsb ish\n\tisb" ::: "memory");
}
#endif
