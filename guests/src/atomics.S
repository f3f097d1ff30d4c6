// atomics: exclusives and LSE atomics, on Normal write-back memory (the MMU is turned on first with the identity
// map of lib/mmu.c: exclusives and atomics to Device memory, which is what all memory is with the MMU off, are
// IMPLEMENTATION DEFINED). Load-exclusive/store-exclusive pairs run with no other memory access in between.
#include "lib/asm.h"

    .bss
    .balign 64
cell:
    .skip   64

    .text
// reset_cells: cell[0..7] = a, b, b, a, a, a, b, b (a = 0x0123456789abcdef, b = 0xfedcba9876543210).
// Preserves x19-x28.
reset_cells:
    LA      x9, cell
    ldr     x10, =0x0123456789abcdef
    ldr     x11, =0xfedcba9876543210
    stp     x10, x11, [x9]
    stp     x11, x10, [x9, #16]
    stp     x10, x10, [x9, #32]
    stp     x11, x11, [x9, #48]
    ret

FUNC main
    ENTER
    bl      mmu_init
    bl      mmu_identity_map
    bl      mmu_enable
    PRINT   "atomics: MMU on (identity map, Normal write-back RAM)"
    LA      x19, cell
    ldr     x20, =0x00000000000000f0
    ldr     x22, =0x8000000000000005

    PRINT   "atomics: exclusives"
    bl      reset_cells
    ldxr    x21, [x19]
    add     x21, x21, #1
    stxr    w23, x21, [x19]
    PX      "stxr status (success)", x23
    ldr     x21, [x19]
    PX      "cell after stxr", x21
    ldxr    x21, [x19]
    clrex
    stxr    w23, x22, [x19]
    PX      "stxr status after clrex", x23
    ldr     x21, [x19]
    PX      "cell unchanged", x21
    stxr    w23, x22, [x19]             // no ldxr at all: the monitor is open
    PX      "stxr status, no ldxr", x23
    ldaxr   w21, [x19]
    stlxr   w23, w20, [x19]
    PX      "ldaxr w", x21
    PX      "stlxr status", x23
    add     x9, x19, #8
    ldxrb   w21, [x9]
    stxrb   w23, w20, [x9]
    PX      "ldxrb", x21
    PX      "stxrb status", x23
    add     x9, x19, #10
    ldaxrh  w21, [x9]
    stlxrh  w23, w22, [x9]
    PX      "ldaxrh", x21
    PX      "stlxrh status", x23
    add     x9, x19, #16
    ldxp    x21, x24, [x9]
    stxp    w23, x24, x21, [x9]         // swap the two halves
    PX      "ldxp a", x21
    PX      "ldxp b", x24
    PX      "stxp status", x23
    ldaxp   w21, w24, [x9]
    stlxp   w23, w20, w22, [x9]
    PX      "ldaxp w a", x21
    PX      "ldaxp w b", x24
    PX      "stlxp status", x23
    ldp     x21, x24, [x19]
    PX      "cell[0]", x21
    PX      "cell[1]", x24
    ldp     x21, x24, [x19, #16]
    PX      "cell[2]", x21
    PX      "cell[3]", x24

    PRINT   "atomics: LSE load-and-op (old value returned, memory updated)"
    bl      reset_cells
    mov     x9, #0x10
    ldadd   x9, x21, [x19]
    PX      "ldadd old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    ldadda  w20, w21, [x19]
    PX      "ldadda.w old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    ldclral x20, x21, [x19]
    PX      "ldclral old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    ldeorl  x22, x21, [x19]
    PX      "ldeorl old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    ldset   x20, x21, [x19]
    PX      "ldset old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    add     x10, x19, #8
    ldsmax  x22, x21, [x10]             // signed: 0xfedc... (negative) vs 0x8000...05 (more negative)
    PX      "ldsmax old", x21
    ldr     x21, [x10]
    PX      "  new", x21
    ldsmin  x22, x21, [x10]
    PX      "ldsmin old", x21
    ldr     x21, [x10]
    PX      "  new", x21
    ldumax  x20, x21, [x10]
    PX      "ldumax old", x21
    ldr     x21, [x10]
    PX      "  new", x21
    ldumin  x20, x21, [x10]
    PX      "ldumin old", x21
    ldr     x21, [x10]
    PX      "  new", x21
    add     x10, x19, #16
    ldaddb  w22, w21, [x10]
    PX      "ldaddb old", x21
    ldaddlh w22, w21, [x10]
    PX      "ldaddlh old", x21
    ldsmaxb w20, w21, [x10]             // bytes compare signed: 0xf0 is -16
    PX      "ldsmaxb old", x21
    ldr     x21, [x10]
    PX      "  new", x21
    stadd   x20, [x19]                  // LDADD with XZR as the destination
    ldr     x21, [x19]
    PX      "stadd new", x21
    stsetl  w22, [x19]
    ldr     x21, [x19]
    PX      "stsetl.w new", x21

    PRINT   "atomics: SWP and CAS"
    bl      reset_cells
    swp     x22, x21, [x19]
    PX      "swp old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    swpal   w20, w21, [x19]
    PX      "swpal.w old", x21
    ldr     x21, [x19]
    PX      "  new", x21
    add     x10, x19, #8
    swpb    w22, w21, [x10]
    PX      "swpb old", x21
    ldr     x21, [x10]
    PX      "  new", x21
    add     x10, x19, #16
    ldr     x21, [x10]                  // compare value = the current value: succeeds
    mov     x24, x21
    cas     x21, x20, [x10]
    PX      "cas success: returned", x21
    ldr     x21, [x10]
    PX      "  new", x21
    mov     x21, x24                    // the old value no longer matches: fails, returns the current value
    casal   x21, x22, [x10]
    PX      "casal failure: returned", x21
    ldr     x21, [x10]
    PX      "  unchanged", x21
    mov     w21, #0xf0
    add     x10, x19, #24
    casb    w21, w22, [x10]             // byte 0xef != 0xf0: fails
    PX      "casb failure: returned", x21
    mov     w21, #0xcdef
    casah   w21, w22, [x10]
    PX      "casah success: returned", x21
    ldr     x21, [x10]
    PX      "  new", x21
    add     x10, x19, #32
    ldp     x4, x5, [x10]               // CASP compares a pair
    ldr     x6, =0x1111111111111111
    ldr     x7, =0x2222222222222222
    casp    x4, x5, x6, x7, [x10]
    PX      "casp success: returned lo", x4
    PX      "casp success: returned hi", x5
    ldp     x21, x24, [x10]
    PX      "  new lo", x21
    PX      "  new hi", x24
    mov     x4, #0
    mov     x5, #0
    caspal  x4, x5, x6, x7, [x10]
    PX      "caspal failure: returned lo", x4
    PX      "caspal failure: returned hi", x5

    bl      mmu_disable
    PRINT   "atomics: done"
    LEAVE
