// svc: SVC from EL1. The handler prints ESR/ELR/SPSR, returns x0 = ~x0 and x1 = the immediate, and resumes at
// the preferred return address (the instruction after the SVC). NZCV and the other registers survive.
// x2 = DAIF inside the handler (all masked on exception entry).
#include "lib/asm.h"

FUNC main
    ENTER
    PRINT   "svc: from EL1"
    ldr     x0, =0x0123456789abcdef
    mov     x1, #0
    ldr     x19, =0x1111111111111111
    svc     #0
    PX      "x0 after svc #0", x0
    PX      "x1 after svc #0", x1
    PX      "x19 preserved", x19
    mov     x9, #0x90000000             // N and V set
    msr     nzcv, x9
    mov     x0, #42
    svc     #0x1234
    PFLAGS  "after svc #0x1234"
    PX      "x0", x0
    PX      "x1", x1
    mov     x9, #0x60000000             // Z and C set
    msr     nzcv, x9
    svc     #0xffff
    PFLAGS  "after svc #0xffff"
    PX      "x1", x1
    // DAIF as seen in SPSR: unmask IRQ and FIQ before one SVC (nothing can interrupt: no device raises one)
    msr     daifclr, #0x3
    svc     #7
    msr     daifset, #0xf
    mrs     x9, daif
    PX      "daif", x9
    PX      "daif in handler", x2
    mov     x2, xzr
    svc     #8
    PX      "svc #8 x1", x1
    LA      x9, exc_count
    ldr     x9, [x9]
    PX      "exceptions taken", x9
    PRINT   "svc: done"
    LEAVE
