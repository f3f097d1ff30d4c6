// hello: the smallest guest. Prints one line through the PL011 and powers off with PSCI SYSTEM_OFF.
#include "lib/asm.h"

FUNC main
    ENTER
    PRINT   "Hello from the kvm-mte guest"
    LEAVE
