/* bench-aes-ctr: a crypto-extension benchmark guest for `pnpm bench` (issue 12; not an oracle test). AES-128 in
 * counter mode with the AES instructions: the key schedule in C with SubWord done by AESE (the word in all four
 * columns, a zero round key: ShiftRows moves nothing), the block loop in assembly below (nine AESE/AESMC pairs, AESE
 * and EOR with the last round key, LD1/ST1 of the data, the 128-bit big-endian counter built with REV/FMOV/INS).
 * Checks FIPS-197's AES-128 example (appendix C.1) first, then encrypts 64 KiB 1,920 times with a continuing counter,
 * checksums the ciphertext and decrypts the last pass back. Prints checksums. */
// cflags: -O2 +simd
#include "bench-fp.h"
#include "xorshift.h"

#define BYTES   (64 * 1024)
#define ROUNDS  1920

static u8 plain[BYTES] __attribute__((aligned(16)));
static u8 cipher[BYTES] __attribute__((aligned(16)));
static u8 back[BYTES] __attribute__((aligned(16)));
static u32 round_keys[44] __attribute__((aligned(16)));

/* out = in EOR AES-128(key schedule rk, counter), for `blocks` blocks, the 128-bit counter hi:lo big-endian,
 * incremented per block. */
void aes128_ctr(const u32 *rk, u8 *out, const u8 *in, u64 blocks, u64 ctr_lo, u64 ctr_hi);

__asm__(
    "    .section .text.aes128_ctr, \"ax\"\n"
    "    .global aes128_ctr\n"
    "    .type aes128_ctr, %function\n"
    "aes128_ctr:\n"
    "    ld1     {v16.16b-v19.16b}, [x0], #64\n"
    "    ld1     {v20.16b-v23.16b}, [x0], #64\n"
    "    ld1     {v24.16b-v26.16b}, [x0]\n"
    "    cbz     x3, 2f\n"
    "1:  rev     x6, x5\n"
    "    rev     x7, x4\n"
    "    fmov    d0, x6\n"
    "    mov     v0.d[1], x7\n"
    "    aese    v0.16b, v16.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v17.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v18.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v19.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v20.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v21.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v22.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v23.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v24.16b\n"
    "    aesmc   v0.16b, v0.16b\n"
    "    aese    v0.16b, v25.16b\n"
    "    eor     v0.16b, v0.16b, v26.16b\n"
    "    ld1     {v1.16b}, [x2], #16\n"
    "    eor     v1.16b, v1.16b, v0.16b\n"
    "    st1     {v1.16b}, [x1], #16\n"
    "    adds    x4, x4, #1\n"
    "    adc     x5, x5, xzr\n"
    "    subs    x3, x3, #1\n"
    "    b.ne    1b\n"
    "2:  ret\n"
    "    .size aes128_ctr, . - aes128_ctr\n"
    "    .text\n");

/* SubWord(w): AESE of w in all four columns with a zero round key; the first column is the result. */
static u32 sub_word(u32 w)
{
    u32 out;
    __asm__("dup     v0.4s, %w1\n\t"
            "movi    v1.16b, #0\n\t"
            "aese    v0.16b, v1.16b\n\t"
            "umov    %w0, v0.s[0]"
            : "=r"(out) : "r"(w) : "v0", "v1");
    return out;
}

/* The AES-128 key schedule (FIPS-197 5.2); words hold their bytes little-endian, as the registers load them. */
static void expand_key(const u8 key[16])
{
    for (int i = 0; i < 4; i++)
        round_keys[i] = key[4 * i] | key[4 * i + 1] << 8 | key[4 * i + 2] << 16 | (u32)key[4 * i + 3] << 24;
    u32 rcon = 1;
    for (int i = 4; i < 44; i++) {
        u32 t = round_keys[i - 1];
        if (i % 4 == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;   /* RotWord, SubWord, Rcon */
            rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x11b : 0);
        }
        round_keys[i] = round_keys[i - 4] ^ t;
    }
}

__attribute__((noinline)) static int run(void)
{
    print_line("bench-aes-ctr: AES-128-CTR with AESE/AESMC, 64 KiB x 1920 (GCC -O2, crypto extension)");
    /* FIPS-197 C.1: the "counter" is the plaintext block, the data zero, so the output is its encryption. */
    u8 key[16];
    for (int i = 0; i < 16; i++)
        key[i] = (u8)i;
    expand_key(key);
    static u8 zero[16] __attribute__((aligned(16)));
    static u8 block[16] __attribute__((aligned(16)));
    aes128_ctr(round_keys, block, zero, 1, 0x8899aabbccddeeffUL, 0x0011223344556677UL);
    static const u8 fips[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
    int kat = 1;
    for (int i = 0; i < 16; i++)
        kat &= block[i] == fips[i];
    print_line(kat ? "FIPS-197 C.1: ok" : "FIPS-197 C.1: WRONG");

    rng_state = 0xd1b54a32d192ed03UL;
    for (int i = 0; i < 16; i++)
        key[i] = (u8)rng();
    expand_key(key);
    for (u32 i = 0; i < BYTES; i += 8) {
        u64 v = rng();
        for (int j = 0; j < 8; j++)
            plain[i + j] = (u8)(v >> (8 * j));
    }
    u64 h = 0, ctr = 0, last = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        last = ctr;
        aes128_ctr(round_keys, cipher, plain, BYTES / 16, ctr, 0xf0e1d2c3b4a59687UL);
        ctr += BYTES / 16;
        for (u32 i = 0; i < BYTES; i += 64)
            h = mix64(h, cipher[i] | (u64)cipher[i + 17] << 8 | (u64)cipher[i + 34] << 16 | (u64)cipher[i + 63] << 56);
    }
    aes128_ctr(round_keys, back, cipher, BYTES / 16, last, 0xf0e1d2c3b4a59687UL);
    u64 diff = 0;
    for (u32 i = 0; i < BYTES; i++)
        diff |= back[i] ^ plain[i];
    print_line(diff == 0 ? "round trip: ok" : "round trip: WRONG");
    print_kv("checksum", h);
    return 0;
}

int main(void)
{
    bench_fp_setup();
    return run();
}
