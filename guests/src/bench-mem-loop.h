/* The work of bench-mem and the bench-mte pair: fill a buffer of 64-bit words, update it in place (load, add,
 * store) BENCH_PASSES times (each guest defines it before including this), then sum it. Returns the checksum. */
#ifndef BENCH_PASSES
#error "define BENCH_PASSES before including bench-mem-loop.h"
#endif

static u64 bench_mem_loop(u64 *const buf, const u64 words)
{
    for (u64 i = 0; i < words; i++)
        buf[i] = i * 0x9e3779b97f4a7c15UL;
    for (u64 pass = 1; pass <= BENCH_PASSES; pass++) {
        u64 carry = pass;
        for (u64 i = 0; i < words; i += 2) {
            u64 a = buf[i] + carry;
            u64 b = buf[i + 1] ^ a;
            buf[i] = a;
            buf[i + 1] = b;
            carry = b >> 61;
        }
    }
    u64 sum = 0;
    for (u64 i = 0; i < words; i++)
        sum = (sum ^ buf[i]) + (sum << 3);
    return sum;
}
