// Start-up: the guest is entered at EL1 with the MMU off (QEMU virt, -kernel ELF; vmm-lite the same).
// Nothing is assumed about the reset values of the registers used: each is written here.
#include "guest.h"

    .section .text.start, "ax"
    .global _start
_start:
    msr     daifset, #0xf               // mask D, A, I, F
    ldr     x0, =SCTLR_BASE             // MMU, caches and alignment checks off
    msr     sctlr_el1, x0
    msr     cpacr_el1, xzr              // FP/SIMD trap (the guests use none)
    adrp    x0, vectors
    add     x0, x0, :lo12:vectors
    msr     vbar_el1, x0
    msr     spsel, #1                   // EL1h: SP is SP_EL1
    isb
    adrp    x0, __stack_top
    add     x0, x0, :lo12:__stack_top
    mov     sp, x0
    msr     sp_el0, xzr
    // Zero .bss (16-byte aligned at both ends by the linker script): the loader may or may not have.
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:  // Enable the PL011 transmitter and receiver (UARTEN | TXE | RXE).
    mov     x0, #UART_BASE
    mov     w1, #0x301
    str     w1, [x0, #UART_CR]
    mov     x0, xzr
    mov     x1, xzr
    mov     x29, xzr
    mov     x30, xzr
    msr     nzcv, xzr
    bl      main
    b       poweroff

// PSCI SYSTEM_OFF through the HVC conduit. Does not return.
    .text
    .global poweroff
    .type poweroff, %function
poweroff:
    ldr     x0, =PSCI_SYSTEM_OFF
    hvc     #0
1:  wfi
    b       1b
    .size poweroff, . - poweroff

    .bss
    .balign 16
    .global __stack_bottom
__stack_bottom:
    .skip   16384
    .global __stack_top
__stack_top:
