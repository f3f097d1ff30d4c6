/* A 64-bit xorshift generator (shifts 13, 7, 17) for the bench guests' deterministic data: seed rng_state, call rng(). */
#ifndef XORSHIFT_H
#define XORSHIFT_H
#include "guest.h"

static u64 rng_state;
static u64 rng(void)
{
    u64 s = rng_state;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return rng_state = s;
}

#endif
