// loadstore: every A64 integer load/store addressing mode and size, with the MMU off (so all data accesses are
// Device-nGnRnE: every access here is naturally aligned). Exclusives and LSE atomics are in atomics.S, which
// runs them on Normal memory.
#include "lib/asm.h"

    .data
    .balign 64
pattern:
    .quad   0x8877665544332211, 0xffeeddccbbaa9988, 0x0f1e2d3c4b5a6978, 0xf0e1d2c3b4a59687
    .quad   0x0123456789abcdef, 0xfedcba9876543210, 0x7f80ff0001fe8081, 0x8000000180000001
pattern_end:

    .bss
    .balign 64
scratch:
    .skip   128

    .text
// dump_scratch: print the 16 doublewords of scratch, then clear it. Preserves x19-x28.
dump_scratch:
    LA      x9, scratch
    ldp     x10, x11, [x9, #0]
    PX      "  scratch+00", x10
    PX      "  scratch+08", x11
    ldp     x10, x11, [x9, #16]
    PX      "  scratch+10", x10
    PX      "  scratch+18", x11
    ldp     x10, x11, [x9, #32]
    PX      "  scratch+20", x10
    PX      "  scratch+28", x11
    ldp     x10, x11, [x9, #48]
    PX      "  scratch+30", x10
    PX      "  scratch+38", x11
    mov     x10, #0
1:  add     x11, x9, x10
    stp     xzr, xzr, [x11]
    add     x10, x10, #16
    cmp     x10, #128
    b.lo    1b
    ret

FUNC main
    ENTER
    LA      x19, pattern
    LA      x20, scratch
    mov     x22, #-1                    // loads into w registers must clear the upper half

    PRINT   "loadstore: unsigned offset loads"
    ldrb    w21, [x19, #9]
    PX      "ldrb #9", x21
    ldrh    w21, [x19, #10]
    PX      "ldrh #10", x21
    mov     x21, x22
    ldr     w21, [x19, #12]
    PX      "ldr w #12", x21
    ldr     x21, [x19, #56]
    PX      "ldr x #56", x21
    ldrsb   x21, [x19, #8]
    PX      "ldrsb x #8", x21
    ldrsb   w21, [x19, #8]
    PX      "ldrsb w #8", x21
    ldrsb   x21, [x19, #16]
    PX      "ldrsb x #16 (positive)", x21
    ldrsh   x21, [x19, #14]
    PX      "ldrsh x #14", x21
    ldrsh   w21, [x19, #14]
    PX      "ldrsh w #14", x21
    ldrsw   x21, [x19, #12]
    PX      "ldrsw #12", x21
    ldrsw   x21, [x19, #16]
    PX      "ldrsw #16 (positive)", x21
    mov     x10, #32760
    sub     x9, x19, x10
    ldr     x21, [x9, #32760]           // imm12 max for x: 4095*8
    PX      "ldr x #32760", x21
    sub     x9, x19, #4095
    ldrb    w21, [x9, #4095]
    PX      "ldrb #4095", x21

    PRINT   "loadstore: unscaled (ldur/stur)"
    add     x9, x19, #64
    ldur    x21, [x9, #-8]
    PX      "ldur x #-8", x21
    ldur    w21, [x9, #-12]
    PX      "ldur w #-12", x21
    ldurh   w21, [x9, #-2]
    PX      "ldurh #-2", x21
    ldursh  x21, [x9, #-2]
    PX      "ldursh x #-2", x21
    ldurb   w21, [x9, #-1]
    PX      "ldurb #-1", x21
    ldursb  w21, [x9, #-1]
    PX      "ldursb w #-1", x21
    ldursw  x21, [x9, #-4]
    PX      "ldursw #-4", x21
    sub     x9, x19, #247
    ldur    x21, [x9, #255]             // the largest unscaled offset
    PX      "ldur x #255", x21
    add     x9, x19, #256
    ldur    x21, [x9, #-256]            // the smallest
    PX      "ldur x #-256", x21
    add     x9, x20, #256
    stur    x22, [x9, #-256]
    mov     w10, #0x5a
    sturb   w10, [x9, #-247]
    mov     w10, #0x1234
    sturh   w10, [x9, #-246]
    mov     w10, #0x7777
    movk    w10, #0x6666, lsl #16
    stur    w10, [x9, #-244]
    bl      dump_scratch

    PRINT   "loadstore: pre- and post-index"
    mov     x9, x19
    ldr     x21, [x9, #8]!
    PX      "ldr x pre #8", x21
    sub     x10, x9, x19
    PX      "  base moved", x10
    ldr     w21, [x9], #-4
    PX      "ldr w post #-4", x21
    sub     x10, x9, x19
    PX      "  base moved", x10
    ldrsh   x21, [x9, #6]!
    PX      "ldrsh pre #6", x21
    ldrsb   w21, [x9], #-10
    PX      "ldrsb w post #-10", x21
    sub     x10, x9, x19
    PX      "  base moved", x10
    ldrsw   x21, [x9, #12]!
    PX      "ldrsw pre #12", x21
    ldrb    w21, [x9], #255
    PX      "ldrb post #255", x21
    sub     x10, x9, x19
    PX      "  base moved", x10
    mov     x9, x20
    str     x22, [x9, #16]!
    mov     w10, #0xabcd
    strh    w10, [x9], #-2
    strb    w10, [x9, #-14]!
    sub     x10, x9, x20
    PX      "  base moved", x10
    str     w22, [x9, #4]!
    sub     x10, x9, x20
    PX      "  base moved", x10
    bl      dump_scratch

    PRINT   "loadstore: register offset"
    mov     x9, #3
    ldr     x21, [x19, x9, lsl #3]
    PX      "ldr x [x, lsl #3]", x21
    mov     x9, #24
    ldr     x21, [x19, x9]
    PX      "ldr x [x]", x21
    mov     w9, #-2
    add     x10, x19, #32
    ldr     w21, [x10, w9, sxtw #2]
    PX      "ldr w [w, sxtw #2]", x21
    mov     w9, #-8
    ldr     x21, [x10, w9, sxtw]
    PX      "ldr x [w, sxtw]", x21
    mov     w9, #5
    ldrh    w21, [x19, w9, uxtw #1]
    PX      "ldrh [w, uxtw #1]", x21
    ldrsh   x21, [x19, w9, uxtw #1]
    PX      "ldrsh [w, uxtw #1]", x21
    mov     x9, #-3
    ldrsb   x21, [x10, x9, sxtx]
    PX      "ldrsb [x, sxtx]", x21
    mov     x9, #-1
    ldrsw   x21, [x10, x9, lsl #2]
    PX      "ldrsw [x, lsl #2]", x21
    ldr     x9, =0xffffffff00000002     // uxtw ignores the upper half
    ldr     x21, [x19, w9, uxtw #3]
    PX      "ldr x [w, uxtw #3]", x21
    mov     x9, #2
    mov     w10, #0xcafe
    strh    w10, [x20, x9, lsl #1]
    mov     w9, #-1
    add     x11, x20, #24
    str     w10, [x11, w9, sxtw #2]
    mov     x9, #40
    str     x19, [x20, x9]
    mov     x9, #51
    strb    w10, [x20, x9]
    bl      dump_scratch

    PRINT   "loadstore: literal"
    ldr     x21, lit_x
    PX      "ldr x literal", x21
    ldr     w21, lit_x
    PX      "ldr w literal", x21
    ldrsw   x21, lit_w
    PX      "ldrsw literal", x21
    prfm    pldl1keep, lit_x
    ldr     x21, =0x1122334455667788
    PX      "ldr =const", x21
    b       1f
    .balign 8
lit_x:  .quad   0x89abcdef01234567
lit_w:  .word   0x80000000, 0
1:

    PRINT   "loadstore: pairs"
    ldp     x21, x23, [x19, #16]
    PX      "ldp x #16 a", x21
    PX      "ldp x #16 b", x23
    ldp     w21, w23, [x19, #8]
    PX      "ldp w #8 a", x21
    PX      "ldp w #8 b", x23
    ldpsw   x21, x23, [x19, #8]
    PX      "ldpsw #8 a", x21
    PX      "ldpsw #8 b", x23
    add     x9, x19, #64
    ldp     x21, x23, [x9, #-16]
    PX      "ldp x #-16 a", x21
    PX      "ldp x #-16 b", x23
    mov     x9, x19
    ldp     x21, x23, [x9, #32]!
    PX      "ldp pre #32 b", x23
    ldpsw   x21, x23, [x9], #-24
    PX      "ldpsw post a", x21
    PX      "ldpsw post b", x23
    sub     x10, x9, x19
    PX      "  base moved", x10
    ldnp    x21, x23, [x19, #48]
    PX      "ldnp a", x21
    PX      "ldnp b", x23
    ldp     w21, w23, [x19, #-0]
    PX      "ldp w #0 b", x23
    mov     x9, x20
    stp     x19, x22, [x9, #16]!
    stp     w22, wzr, [x9], #-8
    stp     xzr, x22, [x9, #24]
    sub     x10, x9, x20
    PX      "  base moved", x10
    mov     w10, #0x1357
    stnp    w10, w22, [x20, #48]
    bl      dump_scratch

    PRINT   "loadstore: stack pointer base"
    mov     x9, sp
    sub     sp, sp, #32
    stp     x19, x22, [sp]
    str     w22, [sp, #16]
    ldr     x21, [sp, #8]
    PX      "ldr [sp,#8]", x21
    ldrsh   x21, [sp, #16]
    PX      "ldrsh [sp,#16]", x21
    ldp     x21, x23, [sp], #32
    sub     x21, x21, x19
    PX      "pop a - pattern", x21
    mov     x10, sp
    sub     x10, x10, x9
    PX      "sp restored", x10

    PRINT   "loadstore: acquire/release and unprivileged"
    ldar    x21, [x19]
    PX      "ldar x", x21
    add     x9, x19, #8
    ldar    w21, [x9]
    PX      "ldar w", x21
    ldarb   w21, [x9]
    PX      "ldarb", x21
    ldarh   w21, [x9]
    PX      "ldarh", x21
    ldapr   x21, [x9]
    PX      "ldapr", x21
    stlr    x19, [x20]
    add     x9, x20, #8
    stlr    w22, [x9]
    add     x9, x20, #16
    mov     w10, #0x99
    stlrb   w10, [x9]
    add     x9, x20, #18
    stlrh   w10, [x9]
    ldtr    x21, [x19, #24]
    PX      "ldtr x", x21
    ldtrsb  x21, [x19, #8]
    PX      "ldtrsb", x21
    ldtrsw  x21, [x19, #28]
    PX      "ldtrsw", x21
    sttr    w22, [x20, #24]
    sttrh   w10, [x20, #32]
    bl      dump_scratch

    PRINT   "loadstore: zero register"
    str     x22, [x20]
    str     wzr, [x20]
    strh    wzr, [x20, #4]
    ldr     x21, [x20]
    PX      "after str wzr/strh wzr", x21
    ldr     xzr, [x19]                  // a load to xzr still happens, result discarded
    PX      "xzr", xzr
    bl      dump_scratch
    PRINT   "loadstore: done"
    LEAVE
