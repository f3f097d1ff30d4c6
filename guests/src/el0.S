// el0: drop to EL0 with ERET (SPSR_EL1 = 0: EL0t, nothing masked), run code there and come back with SVC.
// At EL0 (MMU off, so EL0 may touch all memory and the UART): SVC (EC 0x15 from the lower EL, vector +0x400),
// an EL1 register and MSR SPSel (UNDEFINED: EC 0x00), MRS CTR_EL0 and DC ZVA with SCTLR_EL1.UCT/DZE = 0 (trapped:
// EC 0x18, ISS = the system register encoding), WFI with SCTLR_EL1.nTWI = 0 (trapped: EC 0x01), ERET and HVC
// (UNDEFINED at EL0).
// Not here: MSR DAIFSet with SCTLR_EL1.UMA = 0. It traps with EC 0x18, but QEMU 10 reports Op1 and Op2 swapped
// in the ISS (target/arm: syn_aa64_sysregtrap(0, op2, op1, ...)): ISS 0x0793e4 where the architecture gives 0x0cd3e4.
#include "lib/asm.h"

    .bss
    .balign 16
el0_stack:
    .skip   4096
el0_stack_top:

FUNC main
    ENTER
    PRINT   "el0: entering EL0"
    LA      x0, el0_code
    LA      x1, el0_stack_top
    ldr     x2, =0x0000000012345678
    bl      run_el0
    PX      "back at EL1, x0 from EL0", x0
    mrs     x9, CurrentEL
    PX      "CurrentEL", x9
    mov     x9, sp
    LA      x10, __stack_top
    sub     x9, x10, x9
    PX      "SP_EL1 depth", x9
    mrs     x9, sp_el0
    LA      x10, el0_stack_top
    sub     x9, x10, x9
    PX      "SP_EL0 depth", x9
    LA      x9, exc_count
    ldr     x9, [x9]
    PX      "exceptions taken", x9
    PRINT   "el0: done"
    LEAVE

// Runs at EL0; x0 = the argument of run_el0.
    .text
    .balign 4
el0_code:
    mov     x19, x0
    PX      "EL0 arg", x19
    mov     x9, sp
    LA      x10, el0_stack_top
    sub     x9, x10, x9
    PX      "EL0 SP depth", x9
    mrs     x9, nzcv                    // NZCV and DAIF-free state are EL0-accessible
    PX      "EL0 nzcv", x9
    add     x20, x19, x19, lsl #4
    PX      "EL0 computed", x20
    PRINT   "EL0: svc #0x55"
    mov     x0, #3
    svc     #0x55
    PX      "EL0 x0 after svc", x0
    PX      "EL0 x1 after svc", x1
    PX      "EL0 DAIF in handler", x2
    PRINT   "EL0: mrs sctlr_el1"
    mrs     x21, sctlr_el1
    PRINT   "EL0: msr vbar_el1"
    msr     vbar_el1, xzr
    PRINT   "EL0: msr spsel, #1"
    msr     spsel, #1
    PRINT   "EL0: mrs ctr_el0 (UCT = 0)"
    mrs     x21, ctr_el0
    PRINT   "EL0: wfi (nTWI = 0)"
    wfi
    PRINT   "EL0: eret"
    eret
    PRINT   "EL0: hvc #0"
    hvc     #0
    PRINT   "EL0: dc zva (DZE = 0)"
    mov     x9, sp
    dc      zva, x9
    PRINT   "EL0: leaving"
    add     x0, x20, #1
    svc     #0xffff
    PRINT   "EL0: not reached"
    b       .
