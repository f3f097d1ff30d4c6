// arith: integer data processing. Every result is printed in hex; results that set flags print NZCV too.
#include "lib/asm.h"

FUNC main
    ENTER
    PRINT   "arith: add/sub and flags"
    ldr     x19, =0x7fffffffffffffff
    mov     x20, #1
    adds    x21, x19, x20               // signed overflow: N V
    PXF     "adds.x  7fff..+1", x21
    adds    x21, x20, x20
    PXF     "adds.x  1+1", x21
    mov     x22, #-1
    adds    x21, x22, x20               // carry, zero: Z C
    PXF     "adds.x  -1+1", x21
    adds    w21, w22, w20               // 32-bit: result zero-extended
    PXF     "adds.w  -1+1", x21
    ldr     w23, =0x7fffffff
    adds    w21, w23, w20
    PXF     "adds.w  7fffffff+1", x21
    subs    x21, x20, x20
    PXF     "subs.x  1-1", x21
    subs    x21, x20, #2                // borrow: N, C clear
    PXF     "subs.x  1-2", x21
    mov     x24, #0x8000000000000000
    subs    x21, x24, x20               // signed overflow
    PXF     "subs.x  min-1", x21
    subs    w21, w20, #2
    PXF     "subs.w  1-2", x21
    cmp     x20, #1
    PFLAGS  "cmp 1,1"
    cmn     x22, #1
    PFLAGS  "cmn -1,1"
    add     x21, x19, x20, lsl #4
    PX      "add lsl #4", x21
    sub     x21, x19, x20, asr #1
    PX      "sub asr #1", x21
    ldr     x25, =0x8000000000000010
    add     x21, x20, x25, asr #4
    PX      "add asr #4", x21
    add     x21, x20, x25, lsr #60
    PX      "add lsr #60", x21
    mov     w26, #-3
    add     x21, x20, w26, sxtw
    PX      "add sxtw", x21
    add     x21, x20, w26, uxtw #2
    PX      "add uxtw #2", x21
    add     x21, x20, w26, sxtb #1
    PX      "add sxtb #1", x21
    add     x21, x20, w26, uxth
    PX      "add uxth", x21
    mov     x9, sp
    add     x21, sp, #0x123, lsl #12    // SP as an operand
    sub     x21, x21, x9
    PX      "add sp imm<<12 - sp", x21
    adds    x21, x20, #4095
    PXF     "adds imm 4095", x21

    PRINT   "arith: adc/sbc"
    msr     nzcv, xzr
    adc     x21, x20, x20               // C clear
    PX      "adc c=0", x21
    mov     x9, #0x20000000
    msr     nzcv, x9                    // C set
    adc     x21, x20, x20
    PX      "adc c=1", x21
    msr     nzcv, x9
    adcs    x21, x22, xzr               // -1 + 0 + 1 = 0, carry out
    PXF     "adcs -1+0+c", x21
    msr     nzcv, xzr
    sbc     x21, x20, x20               // 1 - 1 - 1 = -1
    PX      "sbc c=0", x21
    msr     nzcv, x9
    sbcs    x21, x20, x20
    PXF     "sbcs c=1", x21
    msr     nzcv, xzr
    sbcs    w21, wzr, wzr
    PXF     "sbcs.w 0-0-1", x21
    msr     nzcv, xzr
    ngc     x21, x20
    PX      "ngc", x21
    neg     x21, x20
    PX      "neg", x21
    negs    x21, x24
    PXF     "negs min", x21

    PRINT   "arith: logical"
    ldr     x19, =0x0123456789abcdef
    and     x21, x19, #0x00ff00ff00ff00ff
    PX      "and imm", x21
    orr     x21, x19, #0xf00000000000000f
    PX      "orr imm", x21
    eor     x21, x19, #0x5555555555555555
    PX      "eor imm", x21
    ands    x21, x19, #0x8000000000000000
    PXF     "ands imm", x21
    and     w21, w19, #0x3ffc
    PX      "and.w imm", x21
    tst     x19, #0x1
    PFLAGS  "tst 1"
    orr     x21, xzr, #0xaaaaaaaaaaaaaaaa
    PX      "mov bitmask", x21
    ldr     x20, =0xff00ff00f0f0f0f0
    bic     x21, x19, x20
    PX      "bic", x21
    orn     x21, x19, x20, ror #8
    PX      "orn ror #8", x21
    eon     x21, x19, x20, lsl #3
    PX      "eon lsl #3", x21
    bics    x21, x20, x20
    PXF     "bics", x21
    ands    w21, w20, w19, lsr #4
    PXF     "ands.w lsr", x21
    mvn     x21, x19
    PX      "mvn", x21

    PRINT   "arith: move wide"
    movz    x21, #0xbeef, lsl #32
    PX      "movz lsl 32", x21
    movk    x21, #0xdead, lsl #48
    movk    x21, #0x1234
    PX      "movk", x21
    movn    x21, #0x1234, lsl #16
    PX      "movn lsl 16", x21
    movn    w21, #0x1234
    PX      "movn.w", x21
    movz    w21, #0xffff, lsl #16
    movk    w21, #0x8001
    PX      "movz/movk.w", x21

    PRINT   "arith: bitfield"
    ubfx    x21, x19, #12, #20
    PX      "ubfx 12,20", x21
    sbfx    x21, x19, #60, #4
    PX      "sbfx 60,4", x21
    sbfx    x21, x19, #4, #8
    PX      "sbfx 4,8", x21
    mov     x21, x22
    bfi     x21, x19, #8, #16
    PX      "bfi 8,16", x21
    mov     x21, xzr
    bfxil   x21, x19, #16, #12
    PX      "bfxil 16,12", x21
    ubfiz   x21, x19, #40, #16
    PX      "ubfiz 40,16", x21
    sbfiz   w21, w19, #3, #6
    PX      "sbfiz.w 3,6", x21
    lsl     x21, x19, #13
    PX      "lsl #13", x21
    lsr     x21, x19, #13
    PX      "lsr #13", x21
    asr     x21, x20, #13
    PX      "asr #13", x21
    ror     x21, x19, #13
    PX      "ror #13", x21
    sxtb    x21, w20
    PX      "sxtb", x21
    sxth    x21, w20
    PX      "sxth", x21
    sxtw    x21, w20
    PX      "sxtw", x21
    uxtb    w21, w19
    PX      "uxtb", x21
    uxth    w21, w19
    PX      "uxth", x21
    mov     x9, #67                     // shift amounts are taken modulo the register size
    lslv    x21, x19, x9
    PX      "lslv 67", x21
    lsrv    w21, w19, w9
    PX      "lsrv.w 67", x21
    asrv    x21, x20, x9
    PX      "asrv 67", x21
    rorv    x21, x19, x9
    PX      "rorv 67", x21
    extr    x21, x19, x20, #24
    PX      "extr 24", x21
    extr    w21, w19, w20, #7
    PX      "extr.w 7", x21

    PRINT   "arith: multiply and divide"
    mul     x21, x19, x20
    PX      "mul", x21
    madd    x21, x19, x20, x22
    PX      "madd", x21
    msub    x21, x19, x20, x19
    PX      "msub", x21
    mneg    x21, x19, x20
    PX      "mneg", x21
    umulh   x21, x19, x20
    PX      "umulh", x21
    smulh   x21, x19, x20
    PX      "smulh", x21
    umull   x21, w19, w20
    PX      "umull", x21
    smull   x21, w19, w20
    PX      "smull", x21
    smaddl  x21, w19, w20, x19
    PX      "smaddl", x21
    umsubl  x21, w19, w20, x19
    PX      "umsubl", x21
    mul     w21, w19, w20
    PX      "mul.w", x21
    mov     x23, #7
    udiv    x21, x19, x23
    PX      "udiv 7", x21
    sdiv    x21, x20, x23
    PX      "sdiv 7", x21
    mov     x23, #-7
    sdiv    x21, x20, x23
    PX      "sdiv -7", x21
    udiv    x21, x19, xzr               // division by zero gives 0, no exception
    PX      "udiv /0", x21
    sdiv    x21, x20, xzr
    PX      "sdiv /0", x21
    sdiv    x21, x24, x22               // INT64_MIN / -1 = INT64_MIN
    PX      "sdiv min/-1", x21
    sdiv    w21, w24, w22
    PX      "sdiv.w 0/-1", x21
    mov     w9, #0x80000000
    sdiv    w21, w9, w22
    PX      "sdiv.w min/-1", x21
    udiv    w21, w22, w23
    PX      "udiv.w", x21

    PRINT   "arith: bit counting and reversal"
    clz     x21, x19
    PX      "clz", x21
    clz     x21, xzr
    PX      "clz 0", x21
    clz     w21, w20
    PX      "clz.w", x21
    cls     x21, x20
    PX      "cls", x21
    cls     x21, x22
    PX      "cls -1", x21
    rbit    x21, x19
    PX      "rbit", x21
    rbit    w21, w19
    PX      "rbit.w", x21
    rev     x21, x19
    PX      "rev", x21
    rev     w21, w19
    PX      "rev.w", x21
    rev16   x21, x19
    PX      "rev16", x21
    rev32   x21, x19
    PX      "rev32", x21

    PRINT   "arith: conditional select and compare"
    cmp     x19, x20
    csel    x21, x19, x20, hi
    PX      "csel hi", x21
    csel    x21, x19, x20, lt
    PX      "csel lt", x21
    csinc   x21, x19, x20, eq
    PX      "csinc eq", x21
    csinv   x21, x19, x20, ne
    PX      "csinv ne", x21
    csneg   x21, x19, x20, ge
    PX      "csneg ge", x21
    cset    x21, lo
    PX      "cset lo", x21
    csetm   x21, hs
    PX      "csetm hs", x21
    cinc    w21, w19, mi
    PX      "cinc.w mi", x21
    mov     x9, #5
    cmp     x9, #5
    ccmp    x9, #3, #0x4, eq            // eq holds: compare 5,3 -> C
    PFLAGS  "ccmp taken"
    cmp     x9, #6
    ccmp    x9, #3, #0x4, eq            // eq fails: flags = #4 (Z)
    PFLAGS  "ccmp not taken"
    cmp     x9, #5
    ccmn    x9, #5, #0xf, ne
    PFLAGS  "ccmn not taken"
    cmp     x9, #5
    ccmp    x9, x22, #0, ge
    PFLAGS  "ccmp reg"

    PRINT   "arith: crc32"
    ldr     x9, =0x123456789abcdef0
    mov     w21, #0xffffffff
    crc32b  w21, w21, w9
    PX      "crc32b", x21
    crc32h  w21, w21, w9
    PX      "crc32h", x21
    crc32w  w21, w21, w9
    PX      "crc32w", x21
    crc32x  w21, w21, x9
    PX      "crc32x", x21
    mov     w21, #0xffffffff
    crc32cb w21, w21, w9
    PX      "crc32cb", x21
    crc32ch w21, w21, w9
    PX      "crc32ch", x21
    crc32cw w21, w21, w9
    PX      "crc32cw", x21
    crc32cx w21, w21, x9
    PX      "crc32cx", x21

    PRINT   "arith: address generation and branches"
    adr     x21, main
    LA      x9, __image_start
    sub     x21, x21, x9
    PX      "adr main - image", x21
    adrp    x21, main
    and     x9, x9, #~0xfff
    sub     x21, x21, x9
    PX      "adrp main - image page", x21
    mov     x21, xzr
    cbz     x21, 1f
    mov     x21, #0xbad
1:  cbnz    x20, 2f
    mov     x21, #0xbad
2:  tbz     x19, #1, 3f
    orr     x21, x21, #1
3:  tbnz    x19, #63, 4f
    orr     x21, x21, #2
4:  bl      5f
    orr     x21, x21, #4
    b       6f
5:  orr     x21, x21, #8
    ret
6:  PX      "branches", x21
    PRINT   "arith: done"
    LEAVE
