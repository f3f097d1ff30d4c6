/* bench-lz: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test). A small LZ77 compressor
 * (hash of 4 bytes -> last position, greedy matching, tokens of literal runs and back-references) and its
 * decompressor over generated, compressible data; every round trip must give the input back. GCC -O2, MMU on.
 * Prints the compressed sizes and checksums, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"
#include "xorshift.h"

#define DATA_BYTES  (128 * 1024)
#define OUT_BYTES   (DATA_BYTES + DATA_BYTES / 8 + 64)
#define HASH_BITS   13
#define MIN_MATCH   4
#define MAX_MATCH   (MIN_MATCH + 254)   /* M = 255 means "no match" */
#define MAX_DIST    65535
#define ROUNDS      160

static u8 data[DATA_BYTES];
static u8 packed[OUT_BYTES];
static u8 unpacked[DATA_BYTES];
static u32 head[1 << HASH_BITS];


static const char *const words[] = {
    "the ", "guest ", "memory ", "tag ", "page ", "table ", "of ", "and ", "kernel ", "exception ", "level ",
    "translation ", "fault ", "cache ", "a ", "to ", "in ", "block ", "register ", "granule ",
};

/* Text-like data: words from a small vocabulary, with a random byte now and then. */
static void generate(u64 seed)
{
    rng_state = seed;
    u32 i = 0;
    while (i < DATA_BYTES) {
        u64 r = rng();
        if ((r & 15) == 0) {
            data[i++] = (u8)(r >> 8);
            continue;
        }
        const char *w = words[(r >> 4) % (sizeof words / sizeof words[0])];
        while (*w && i < DATA_BYTES)
            data[i++] = (u8)*w++;
    }
}

static inline u32 hash4(const u8 *p)
{
    u32 v = (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Token: a byte L (literal count, 0..255) then L literals, then a byte M (match length - MIN_MATCH, 255 = none)
 * and, when M != 255, a 16-bit little-endian distance. */
static u32 compress(const u8 *in, u32 n, u8 *out)
{
    for (u32 i = 0; i < (1u << HASH_BITS); i++)
        head[i] = ~0u;
    u32 ip = 0, op = 0, lit = 0;
    while (ip < n) {
        u32 len = 0, dist = 0;
        if (ip + MIN_MATCH <= n) {
            u32 h = hash4(in + ip);
            u32 cand = head[h];
            head[h] = ip;
            if (cand != ~0u && ip - cand <= MAX_DIST) {
                u32 max = n - ip < MAX_MATCH ? n - ip : MAX_MATCH;
                while (len < max && in[cand + len] == in[ip + len])
                    len++;
                dist = ip - cand;
            }
        }
        if (len >= MIN_MATCH || lit == 255 || ip + 1 == n) {
            if (len < MIN_MATCH) {       /* flush literals, this one included */
                ip++;
                lit++;
                len = 0;
            }
            out[op++] = (u8)lit;
            for (u32 k = 0; k < lit; k++)
                out[op++] = in[ip - lit + k];
            if (len >= MIN_MATCH) {
                out[op++] = (u8)(len - MIN_MATCH);
                out[op++] = (u8)dist;
                out[op++] = (u8)(dist >> 8);
                for (u32 k = 1; k < len && ip + k + MIN_MATCH <= n; k++)
                    head[hash4(in + ip + k)] = ip + k;
                ip += len;
            } else {
                out[op++] = 255;
            }
            lit = 0;
        } else {
            ip++;
            lit++;
        }
    }
    return op;
}

static u32 decompress(const u8 *in, u32 n, u8 *out, u32 cap)
{
    u32 ip = 0, op = 0;
    while (ip < n) {
        u32 lit = in[ip++];
        if (op + lit > cap)
            return ~0u;
        for (u32 k = 0; k < lit; k++)
            out[op++] = in[ip++];
        u32 m = in[ip++];
        if (m == 255)
            continue;
        u32 len = m + MIN_MATCH;
        u32 dist = (u32)in[ip] | (u32)in[ip + 1] << 8;
        ip += 2;
        if (dist == 0 || dist > op || op + len > cap)
            return ~0u;
        for (u32 k = 0; k < len; k++, op++)
            out[op] = out[op - dist];
    }
    return op;
}

static u64 fnv(const u8 *p, u32 n)
{
    u64 h = 0xcbf29ce484222325UL;
    for (u32 i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3UL;
    return h;
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-lz: LZ77 compress + decompress round trips (GCC -O2)");
    u64 check = 0, total = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        generate(0x9e3779b97f4a7c15UL * (r + 1));
        u32 c = compress(data, DATA_BYTES, packed);
        u32 d = decompress(packed, c, unpacked, DATA_BYTES);
        u32 same = d == DATA_BYTES;
        for (u32 i = 0; same && i < DATA_BYTES; i++)
            same = unpacked[i] == data[i];
        if (!same) {
            print_str("bench-lz: round trip FAILED in round ");
            print_dec(r);
            newline();
        }
        total += c;
        check = (check * 31) ^ fnv(packed, c) ^ ((u64)c << 32);
    }
    print_kv("packed", total);
    print_kv("checksum", check);
    return 0;
}
