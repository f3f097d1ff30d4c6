// The EL1 exception vector table and the common entry/exit path. Every exception saves x0-x30, ELR_EL1 and
// SPSR_EL1 in a struct frame on SP_EL1 and calls exc_dispatch(index, frame) (exceptions.c); index is the
// vector number 0-15 (0-3 current EL with SP_EL0, 4-7 current EL with SP_ELx, 8-11 lower EL AArch64,
// 12-15 lower EL AArch32; within each: sync, IRQ, FIQ, SError).
// exc_dispatch returns 0 to resume (ERET with the frame's ELR/SPSR/registers), or 1 to leave EL0 for good
// and return from run_el0 at EL1.
#include "guest.h"

#define FRAME_SIZE 272

    .macro VENTRY idx
    .balign 128
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\idx
    b       exc_common
    .endm

    .section .vectors, "ax"
    .balign 2048
    .global vectors
vectors:
    VENTRY 0
    VENTRY 1
    VENTRY 2
    VENTRY 3
    VENTRY 4
    VENTRY 5
    VENTRY 6
    VENTRY 7
    VENTRY 8
    VENTRY 9
    VENTRY 10
    VENTRY 11
    VENTRY 12
    VENTRY 13
    VENTRY 14
    VENTRY 15

    .text
exc_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x1, elr_el1
    stp     x30, x1, [sp, #240]
    mrs     x1, spsr_el1
    str     x1, [sp, #256]
    mov     x1, sp
    bl      exc_dispatch
    cbnz    x0, el0_exit
    ldr     x1, [sp, #248]
    msr     elr_el1, x1
    ldr     x1, [sp, #256]
    msr     spsr_el1, x1
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret

// u64 run_el0(void (*fn)(u64), u64 sp_el0, u64 arg): run fn at EL0 (SPSR = 0: EL0t, D/A/I/F unmasked) on the
// stack sp_el0, with x0 = arg. The EL0 code ends with `svc #0xffff`; run_el0 then returns the x0 it had.
    .global run_el0
    .type run_el0, %function
run_el0:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x9, sp
    adrp    x10, el1_saved_sp
    str     x9, [x10, :lo12:el1_saved_sp]
    msr     sp_el0, x1
    msr     elr_el1, x0
    msr     spsr_el1, xzr
    mov     x0, x2
    mov     x30, xzr
    isb
    eret
el0_exit:
    ldr     x0, [sp, #0]                // the EL0 code's x0
    adrp    x10, el1_saved_sp
    ldr     x9, [x10, :lo12:el1_saved_sp]
    mov     sp, x9
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
    .size run_el0, . - run_el0

// saveall_call(x0, x1, x2, fn in x3): calls fn(x0, x1, x2) preserving x4-x18 and NZCV. The PRINT macros of asm.h
// save x0-x3 and x30 themselves, so assembly tests can print in the middle of a computation.
    .global saveall_call
    .type saveall_call, %function
saveall_call:
    stp     x4, x5, [sp, #-144]!
    stp     x6, x7, [sp, #16]
    stp     x8, x9, [sp, #32]
    stp     x10, x11, [sp, #48]
    stp     x12, x13, [sp, #64]
    stp     x14, x15, [sp, #80]
    stp     x16, x17, [sp, #96]
    mrs     x9, nzcv
    stp     x18, x9, [sp, #112]
    str     x30, [sp, #128]
    blr     x3
    ldp     x18, x9, [sp, #112]
    msr     nzcv, x9
    ldr     x30, [sp, #128]
    ldp     x16, x17, [sp, #96]
    ldp     x14, x15, [sp, #80]
    ldp     x12, x13, [sp, #64]
    ldp     x10, x11, [sp, #48]
    ldp     x8, x9, [sp, #32]
    ldp     x6, x7, [sp, #16]
    ldp     x4, x5, [sp], #144
    ret
    .size saveall_call, . - saveall_call

    .bss
    .balign 8
el1_saved_sp:
    .skip   8
