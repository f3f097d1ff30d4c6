// undef: instructions that are UNDEFINED at EL1 on this machine, each taken as EC 0x00 (Unknown reason,
// ESR = 0x02000000) with ELR at the instruction, then skipped by the handler. No FP/SIMD: QEMU's -cpu max has
// FP, the modelled CPU does not, so an FP instruction would not be UNDEFINED on both. No SMC either: with no EL3
// it is UNDEFINED on QEMU's TCG machine, but under a hypervisor HCR_EL2.TSC traps it to EL2 and KVM answers it
// as an SMCCC call: a hypervisor's choice, not the architecture's.
#include "lib/asm.h"

FUNC main
    ENTER
    PRINT   "undef: UDF #0"
    udf     #0
    PRINT   "undef: UDF #0xbeef"
    udf     #0xbeef
    PRINT   "undef: load/store with size=11 opc=11 (unallocated)"
    .inst   0xf9c00000
    PRINT   "undef: MRS HCR_EL2 at EL1 (EL2 register)"
    mrs     x0, hcr_el2
    PRINT   "undef: MSR SP_EL1 at EL1"
    msr     sp_el1, x0
    PRINT   "undef: MRS SCTLR_EL3 at EL1"
    mrs     x0, sctlr_el3
    PRINT   "undef: a register is not changed by an UNDEFINED MRS"
    ldr     x21, =0x5555aaaa5555aaaa
    mrs     x21, vbar_el2
    PX      "x21", x21
    LA      x9, exc_count
    ldr     x9, [x9]
    PX      "exceptions taken", x9
    PRINT   "undef: done"
    LEAVE
