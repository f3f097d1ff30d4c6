/* mte-probe: the implementation-defined MTE values the other mte-* guests depend on, as the guest reads them:
 * ID_AA64PFR1_EL1.MTE (the MTE level), DCZID_EL0 (the DC ZVA/GVA/GZVA and STZGM block size, BS = log2 words) and
 * GMID_EL1 (the LDGM/STGM block size). vmm-lite must report QEMU 10 -cpu max's values so that block-sized MTE
 * operations give the same results on both. */
#include "guest.h"

#define READ_SYSREG(name) ({ u64 _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })

int main(void)
{
    u64 pfr1 = READ_SYSREG(id_aa64pfr1_el1);
    u64 dczid = READ_SYSREG(dczid_el0);
    u64 gmid = READ_SYSREG(s3_1_c0_c0_4);
    print_kv("ID_AA64PFR1_EL1.MTE", (pfr1 >> 8) & 0xf);
    print_kv("DCZID_EL0", dczid);
    print_kv("DC ZVA/GVA/GZVA block bytes", 4UL << (dczid & 0xf));
    print_kv("GMID_EL1", gmid);
    print_kv("LDGM/STGM block bytes", 4UL << (gmid & 0xf));
    print_line("mte-probe: done");
    return 0;
}
