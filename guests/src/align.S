// align: alignment faults with the MMU off. Every data access is then to Device-nGnRnE memory, where any
// unaligned access takes an Alignment fault (EC 0x25, DFSC 0x21, FAR = the exact address), whatever SCTLR_EL1.A.
// Then: an unaligned exclusive and load-acquire, and PC alignment faults (EC 0x22, FAR = ELR = the target).
// (No SP alignment check, SCTLR_EL1.SA: QEMU 10 does not implement it, so it cannot be an oracle for it.)
#include "lib/asm.h"

    .bss
    .balign 64
buf:
    .skip   64

FUNC main
    ENTER
    LA      x19, buf
    PRINT   "align: ldr x at +1"
    ldr     x21, [x19, #1]
    PRINT   "align: ldr w at +2"
    ldr     w21, [x19, #2]
    PRINT   "align: ldrh at +3"
    ldrh    w21, [x19, #3]
    PRINT   "align: ldur x at +4"
    ldur    x21, [x19, #4]
    PRINT   "align: str x at +9"
    str     x21, [x19, #9]
    PRINT   "align: strh at +33"
    add     x9, x19, #33
    strh    w21, [x9]
    PRINT   "align: ldp x at +4"
    add     x9, x19, #4
    ldp     x21, x22, [x9]
    PRINT   "align: ldp w at +2"
    add     x9, x19, #2
    ldp     w21, w22, [x9]
    PRINT   "align: aligned accesses of every size are fine"
    ldrb    w21, [x19, #7]
    ldrh    w21, [x19, #6]
    ldr     w21, [x19, #4]
    ldr     x21, [x19, #8]
    ldp     x21, x22, [x19, #16]
    PRINT   "align: pre-index writeback does not happen on a fault"
    add     x9, x19, #1
    mov     x20, x9
    ldr     x21, [x9, #2]!
    sub     x10, x9, x20
    PX      "base moved", x10
    PRINT   "align: ldxr at +4"
    add     x9, x19, #4
    ldxr    x21, [x9]
    clrex
    PRINT   "align: ldar w at +2"
    add     x9, x19, #2
    ldar    w21, [x9]

    PRINT   "align: PC alignment fault on BR to buf+2"
    add     x9, x19, #2
    adr     x30, 1f
    RESUME_AT_X30
    br      x9
1:  PRINT   "align: PC alignment fault on BLR to an odd address"
    ldr     x9, =0x40080001
    adr     x30, 2f
    RESUME_AT_X30
    blr     x9
2:  LA      x9, exc_count
    ldr     x9, [x9]
    PX      "exceptions taken", x9
    PRINT   "align: done"
    LEAVE
