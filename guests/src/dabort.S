// dabort: loads and stores to physical addresses where the QEMU virt board has nothing, with the MMU off:
// synchronous External aborts, EC 0x25, DFSC 0x10, FAR = the address. The handler skips the access. (The
// destination register of a faulting load is not printed: the architecture leaves it UNKNOWN.)
//   0x0b00_0000: between the virtio-mmio transports (0x0a00_0000 + 32 * 0x200) and the platform bus
//   0x5000_0000: the first byte after 256 MiB of RAM (the oracle runs with -m 256)
#include "lib/asm.h"

FUNC main
    ENTER
    ldr     x19, =0x0b000000
    ldr     x20, =0x50000000
    ldr     x21, =0x1234567812345678
    PRINT   "dabort: ldr x from 0x0b000000"
    ldr     x21, [x19]
    PRINT   "dabort: ldrb w from 0x0b000123"
    ldrb    w21, [x19, #0x123]
    PRINT   "dabort: str w to 0x0b000010"
    str     w21, [x19, #0x10]
    PRINT   "dabort: ldp x from 0x0b000040"
    ldp     x21, x22, [x19, #0x40]
    PRINT   "dabort: ldr x from 0x50000000 (end of RAM)"
    ldr     x21, [x20]
    PRINT   "dabort: strh to 0x50000ffe"
    strh    w21, [x20, #0xffe]
    PRINT   "dabort: last RAM doubleword 0x4ffffff8 is readable"
    sub     x9, x20, #8
    str     x21, [x9]
    ldr     x22, [x9]
    PX      "x22", x22
    PRINT   "dabort: done"
    LEAVE
