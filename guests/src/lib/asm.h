/* Assembler macros for the guest programs (#include "lib/asm.h" in a .S file).
 * Every print macro preserves all general-purpose registers and NZCV, so a test can print in the middle
 * of a computation. They use 64 bytes of the current stack (SP_EL1 at EL1, SP_EL0 at EL0). */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H
#include "guest.h"

/* Internal: call fn(string, value, flags) through saveall_call. */
    .macro _PCALL fn, text, reg, flags
    .pushsection .rodata.guest_str, "a"
.Lpstr\@: .asciz "\text"
    .popsection
    sub     sp, sp, #64
    stp     x0, x1, [sp]
    stp     x2, x3, [sp, #16]
    str     x30, [sp, #32]
    mov     x1, \reg
    .ifnb \flags
    mrs     x2, nzcv
    .endif
    adrp    x0, .Lpstr\@
    add     x0, x0, :lo12:.Lpstr\@
    adrp    x3, \fn
    add     x3, x3, :lo12:\fn
    bl      saveall_call
    ldr     x30, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp]
    add     sp, sp, #64
    .endm

/* PRINT "text": prints text and a newline. */
    .macro PRINT text
    _PCALL  print_line, "\text", xzr
    .endm

/* PX "label", xN: prints "label=<16 hex digits of xN>". */
    .macro PX label, reg
    _PCALL  print_kv, "\label", \reg
    .endm

/* PXF "label", xN: prints "label=<16 hex digits of xN> nzcv=<NZCV as one hex digit>". */
    .macro PXF label, reg
    _PCALL  print_kvf, "\label", \reg, 1
    .endm

/* PFLAGS "label": prints "label nzcv=<NZCV as one hex digit>". */
    .macro PFLAGS label
    _PCALL  print_flags, "\label", xzr, 1
    .endm

/* RESUME_AT_X30: the next exception resumes at the x30 of the interrupted code instead of ELR+4
 * (for faults on a branch target, whose ELR cannot be skipped). */
    .macro RESUME_AT_X30
    stp     x0, x1, [sp, #-16]!
    mov     x0, #RESUME_X30
    adrp    x1, exc_resume_mode
    str     x0, [x1, :lo12:exc_resume_mode]
    ldp     x0, x1, [sp], #16
    .endm

/* LA xN, symbol: load a symbol's address (PC-relative, +-4 GiB). */
    .macro LA reg, sym
    adrp    \reg, \sym
    add     \reg, \reg, :lo12:\sym
    .endm

/* FUNC name: start a global function in .text. */
    .macro FUNC name
    .text
    .global \name
    .type \name, %function
    .balign 4
\name:
    .endm

/* ENTER / LEAVE: a frame for main and other callers (saves x29, x30 and x19-x28). */
    .macro ENTER
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x29, sp
    .endm
    .macro LEAVE
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
    .endm
#endif
