/* echo: reads the PL011 by polling (UARTFR.RXFE, UARTDR; no interrupts: the board has no GIC yet) and writes every
 * byte back, until it receives EOT (0x04, Ctrl-D) or no byte arrives for 400000 polls. Then it prints how many bytes
 * it echoed and powers off. Without input (QEMU's recording, the oracle test) it times out at once. */
#include "lib/asm.h"

#define UART_FR_RXFE (1 << 4)
#define IDLE_POLLS   400000

FUNC main
    ENTER
    PRINT "echo: type; Ctrl-D ends"
    mov     x19, #UART_BASE
    mov     x20, #0                 // bytes echoed
1:  ldr     x21, =IDLE_POLLS
2:  ldr     w0, [x19, #UART_FR]
    tbz     w0, #4, 3f              // RXFE clear: a byte is there
    subs    x21, x21, #1
    b.ne    2b
    PRINT ""
    PRINT "echo: idle"
    b       9f
3:  ldr     w0, [x19, #UART_DR]
    and     w0, w0, #0xff
    cmp     w0, #4
    b.eq    8f
4:  ldr     w1, [x19, #UART_FR]     // wait for room in the TX FIFO
    tbnz    w1, #5, 4b
    str     w0, [x19, #UART_DR]
    add     x20, x20, #1
    b       1b
8:  PRINT ""
    PRINT "echo: EOT"
9:  PX "echo: bytes", x20
    LEAVE
