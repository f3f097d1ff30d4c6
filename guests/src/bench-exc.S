// bench-exc: exception round trips for `pnpm bench` (not an oracle test). Installs its own minimal EL1 vector
// table whose synchronous handler (current EL, SP_EL1) adds ESR_EL1 and the loop counter to a checksum and ERETs;
// then runs ROUNDS SVCs from EL1, restores the runtime's vectors, prints the checksum and powers off.
#include "lib/asm.h"

#define ROUNDS 1000000

    .section .text.bench_vectors, "ax"
    .balign 2048
bench_vectors:
    .rept 4                             // current EL with SP_EL0: unused
    .balign 128
    b       bench_unexpected
    .endr
    .balign 128
    .org    bench_vectors + 0x200       // current EL with SP_ELx, synchronous: the SVC handler
    mrs     x9, esr_el1
    add     x19, x19, x9
    eor     x19, x19, x20, lsl #7
    mrs     x10, elr_el1
    add     x19, x19, x10, lsr #12
    eret
    .balign 128
    .rept 11
    b       bench_unexpected
    .balign 128
    .endr

    .text
bench_unexpected:
    PRINT   "bench-exc: unexpected exception"
    b       poweroff

FUNC main
    ENTER
    PRINT   "bench-exc: SVC round trips to an EL1 handler"
    mrs     x21, vbar_el1
    LA      x0, bench_vectors
    msr     vbar_el1, x0
    isb
    mov     x19, #0
    ldr     x20, =ROUNDS
1:  svc     #0x42
    subs    x20, x20, #1
    b.ne    1b
    msr     vbar_el1, x21
    isb
    PX      "checksum", x19
    LEAVE
