/* bench-osboot: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test) that behaves like an OS
 * boot rather than a hot loop:
 *  - a large body of code executed once or a few times: the guest writes 1 MiB of distinct generated functions
 *    (add/sub, eor, mul, extr, movz/movk, cmp+csel, loads/stores, cbz, lsr, mrs tpidr_el1) into a 2 MiB block it
 *    maps executable, cleans it to the point of unification (DC CVAU, DSB, IC IVAU, DSB, ISB) and calls each
 *    function once; then patches every function's first instruction (NOP -> ADD, as ftrace/alternatives do, one
 *    DC CVAU + IC IVAU per site), runs them all again, patches them back and runs them a third time;
 *  - many exceptions: an SVC "system call" around every function call and a loop of system calls, dispatched by a
 *    C handler behind the guest's own vector table; demand paging: 256 pages unmapped (PTE cleared + TLBI VAE1IS)
 *    and touched again in every round, each first touch a translation fault the handler answers by mapping the page;
 *  - system-register accesses: TPIDR_EL0/EL1, TPIDRRO_EL0, CONTEXTIDR_EL1, CNTV_CVAL_EL0, CNTKCTL_EL1, SCTLR_EL1,
 *    MAIR_EL1, CNTVCT_EL0, CTR_EL0 and, in the handler, ESR/FAR/ELR_EL1;
 *  - the MMU on with the guest's own page tables.
 * Only values the guest itself wrote or computed enter the checksum (not CNTVCT, CTR or SCTLR's reset bits).
 * GCC -O2. Prints the results, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"
#include "xorshift.h"

#define CODE_VA     0x40400000UL        /* a 2 MiB block of Normal memory, RW and executable at EL1 */
#define CODE_BYTES  (1024 * 1024)
#define MAX_FUNCS   4096
#define LAZY_VA     0x41000000UL        /* demand-paged: 256 identity-mapped pages, mapped by the fault handler */
#define LAZY_PAGES  256
#define LAZY_ROUNDS 16
#define SYSCALLS    60000
#define SYSREG_ROUNDS 4000

#define NOP         0xd503201fu
#define RET         0xd65f03c0u

static u32 *const code = (u32 *)CODE_VA;
static u32 func_start[MAX_FUNCS];       /* word index of each function's patch site */
static u32 nfuncs;
static u64 data[512] __attribute__((aligned(4096)));
static u64 svc_count, svc_sum, faults, elr_sum;

/* ---- exceptions: the guest's own vector table; synchronous exceptions from EL1 (SP_EL1) go to osboot_sync ---- */
void osboot_sync(u64 *regs);
void osboot_vectors(void);
__asm__(
    "    .section .text.osboot_vectors, \"ax\"\n"
    "    .balign 2048\n"
    "    .global osboot_vectors\n"
    "osboot_vectors:\n"
    "    .rept 4\n"
    "    .balign 128\n"
    "    b osboot_unexpected\n"
    "    .endr\n"
    "    .balign 128\n"                  /* +0x200: current EL with SP_ELx, synchronous */
    "    b osboot_entry\n"
    "    .rept 11\n"
    "    .balign 128\n"
    "    b osboot_unexpected\n"
    "    .endr\n"
    "osboot_entry:\n"
    "    sub sp, sp, #256\n"
    "    stp x0, x1, [sp, #0]\n"
    "    stp x2, x3, [sp, #16]\n"
    "    stp x4, x5, [sp, #32]\n"
    "    stp x6, x7, [sp, #48]\n"
    "    stp x8, x9, [sp, #64]\n"
    "    stp x10, x11, [sp, #80]\n"
    "    stp x12, x13, [sp, #96]\n"
    "    stp x14, x15, [sp, #112]\n"
    "    stp x16, x17, [sp, #128]\n"
    "    stp x18, x19, [sp, #144]\n"
    "    stp x29, x30, [sp, #160]\n"
    "    mov x0, sp\n"
    "    bl osboot_sync\n"
    "    ldp x0, x1, [sp, #0]\n"
    "    ldp x2, x3, [sp, #16]\n"
    "    ldp x4, x5, [sp, #32]\n"
    "    ldp x6, x7, [sp, #48]\n"
    "    ldp x8, x9, [sp, #64]\n"
    "    ldp x10, x11, [sp, #80]\n"
    "    ldp x12, x13, [sp, #96]\n"
    "    ldp x14, x15, [sp, #112]\n"
    "    ldp x16, x17, [sp, #128]\n"
    "    ldp x18, x19, [sp, #144]\n"
    "    ldp x29, x30, [sp, #160]\n"
    "    add sp, sp, #256\n"
    "    eret\n"
    "osboot_unexpected:\n"
    "    mrs x0, esr_el1\n"
    "    b osboot_bad\n"
    "    .text\n");

#define READ_SYSREG(name) ({ u64 _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })
#define WRITE_SYSREG(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((u64)(v)) : "memory")

__attribute__((noreturn, used)) void osboot_bad(u64 esr)
{
    print_kv("osboot: unexpected exception, ESR", esr);
    poweroff();
}

/* The "kernel": x8 selects the call, x0/x1 are arguments, x0 the result. */
void osboot_sync(u64 *regs)
{
    u64 esr = READ_SYSREG(esr_el1);
    u64 ec = esr >> 26;
    if (ec == 0x15) {
        u64 elr = READ_SYSREG(elr_el1);
        elr_sum += elr & 0xffffff;
        svc_count++;
        u64 a = regs[0], b = regs[1];
        switch (regs[8]) {
        case 0: regs[0] = a ^ READ_SYSREG(tpidr_el1); break;
        case 1: svc_sum += a; regs[0] = svc_count; break;
        case 2: regs[0] = a + b * 3; break;
        default: {
            u64 old = READ_SYSREG(tpidr_el0);
            WRITE_SYSREG(tpidr_el0, a);
            regs[0] = old;
        }
        }
        return;
    }
    if (ec == 0x25) {
        u64 far = READ_SYSREG(far_el1);
        if ((esr & 0x3c) == 0x04 && far >= LAZY_VA && far < LAZY_VA + LAZY_PAGES * 4096UL) {
            u64 page = far & ~4095UL;
            mmu_map_page(page, page, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
            __asm__ volatile("dsb ishst" ::: "memory");
            faults++;
            return;                                          /* ELR: the access runs again */
        }
    }
    osboot_bad(esr);
}

static inline u64 syscall2(u64 nr, u64 a, u64 b)
{
    register u64 x0 __asm__("x0") = a;
    register u64 x1 __asm__("x1") = b;
    register u64 x8 __asm__("x8") = nr;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x8) : "memory");
    return x0;
}

/* ---- code generation ---- */

static const u8 work_regs[7] = {0, 2, 3, 4, 5, 6, 7};   /* x1 holds the data pointer and is never written */

/* Writes one function at word index w; returns the index after it. */
static u32 gen_function(u32 w, u32 max_words)
{
    u32 end = w + max_words;
    code[w++] = NOP;                                     /* the patch site */
    for (u32 r = 2; r <= 7; r++)
        code[w++] = 0x91000000u | (r * 37) << 10 | 0 << 5 | r;   /* add xr, x0, #r*37 */
    u32 body = 40 + rng() % 200;
    while (body-- && w + 4 < end) {
        u64 x = rng();
        u32 d = work_regs[x % 7], n = work_regs[(x >> 3) % 7], m = work_regs[(x >> 6) % 7];
        u32 imm = (x >> 16) & 0xfff;
        switch ((x >> 28) & 15) {
        case 0: case 1: case 2: code[w++] = 0x91000000u | imm << 10 | n << 5 | d; break;            /* add imm */
        case 3: case 4: code[w++] = 0xca000000u | m << 16 | n << 5 | d; break;                      /* eor */
        case 5: code[w++] = 0x9b007c00u | m << 16 | n << 5 | d; break;                              /* mul */
        case 6: code[w++] = 0x93c00000u | m << 16 | (imm & 63) << 10 | n << 5 | d; break;           /* extr */
        case 7: code[w++] = 0xd2800000u | ((x >> 40) & 3) << 21 | (x >> 44 & 0xffff) << 5 | d; break; /* movz */
        case 8: code[w++] = 0xf2800000u | ((x >> 40) & 3) << 21 | (x >> 44 & 0xffff) << 5 | d; break; /* movk */
        case 9:
            code[w++] = 0xeb00001fu | m << 16 | n << 5;                                             /* cmp */
            code[w++] = 0x9a800000u | m << 16 | ((x >> 40) % 14) << 12 | n << 5 | d;                /* csel */
            break;
        case 10: code[w++] = 0xf9400000u | (imm & 511) << 10 | 1 << 5 | d; break;                  /* ldr [x1] */
        case 11: code[w++] = 0xf9000000u | (imm & 511) << 10 | 1 << 5 | n; break;                  /* str [x1] */
        case 12:
            code[w++] = 0xb4000040u | n;                                                            /* cbz +8 */
            code[w++] = 0x91000000u | imm << 10 | m << 5 | d;
            break;
        case 13: code[w++] = 0xd538d080u | d; break;                                                /* mrs tpidr_el1 */
        case 14: code[w++] = 0xd1000000u | imm << 10 | n << 5 | d; break;                           /* sub imm */
        default: code[w++] = 0xd340fc00u | (imm & 63) << 16 | n << 5 | d; break;                    /* lsr */
        }
    }
    for (u32 r = 2; r <= 7; r++)
        code[w++] = 0xca000000u | r << 16 | 0 << 5 | 0;  /* eor x0, x0, xr */
    code[w++] = RET;
    return w;
}

static u64 dline, iline;

/* Makes [start, start+bytes) of new instructions visible to instruction fetch. */
static void sync_code(u64 start, u64 bytes)
{
    for (u64 a = start & ~(dline - 1); a < start + bytes; a += dline)
        __asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish" ::: "memory");
    for (u64 a = start & ~(iline - 1); a < start + bytes; a += iline)
        __asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

/* Calls every generated function once, with a system call around each; returns a hash of the results. */
static u64 run_all(u64 seed)
{
    u64 h = seed;
    for (u32 f = 0; f < nfuncs; f++) {
        u64 (*fn)(u64, u64 *) = (u64 (*)(u64, u64 *))(CODE_VA + 4UL * func_start[f]);
        u64 arg = syscall2(f & 3, h, f);
        u64 r = fn(arg, data);
        h = (h ^ r) * 0x100000001b3UL + syscall2(1, r, 0);
    }
    return h;
}

/* Every function's patch site: NOP, or ADD x0, x0, #k (one site at a time, each made visible on its own). */
static void patch_all(int on)
{
    for (u32 f = 0; f < nfuncs; f++) {
        u32 *site = &code[func_start[f]];
        *site = on ? 0x91000000u | ((f * 13) & 0xfff) << 10 | 0 << 5 | 0 : NOP;
        sync_code((u64)site, 4);
    }
}

static u64 demand_paging(void)
{
    u64 sum = 0;
    for (u32 r = 0; r < LAZY_ROUNDS; r++) {
        for (u32 p = 0; p < LAZY_PAGES; p++) {
            volatile u64 *q = (volatile u64 *)(LAZY_VA + p * 4096UL + ((p * 8 * (r + 1)) & 4095));
            *q = p * 0x10001UL + r;
            sum = sum * 3 + *q;
        }
        for (u32 p = 0; p < LAZY_PAGES; p++) {
            mmu_unmap_page(LAZY_VA + p * 4096UL);
            tlbi_va(LAZY_VA + p * 4096UL);
        }
    }
    return sum;
}

static u64 sysregs(void)
{
    u64 h = 0, sctlr = READ_SYSREG(sctlr_el1), ticks = 0;
    for (u64 i = 0; i < SYSREG_ROUNDS; i++) {
        u64 v = i * 0x9e3779b97f4a7c15UL;
        WRITE_SYSREG(tpidr_el1, v);
        WRITE_SYSREG(tpidrro_el0, v ^ 1);
        WRITE_SYSREG(contextidr_el1, v & 0xffffffff);
        WRITE_SYSREG(cntv_cval_el0, v >> 3);
        WRITE_SYSREG(cntkctl_el1, i & 3);
        WRITE_SYSREG(sctlr_el1, sctlr);
        __asm__ volatile("isb");
        h = h * 31 + READ_SYSREG(tpidr_el1);
        h = h * 31 + READ_SYSREG(tpidrro_el0);
        h = h * 31 + READ_SYSREG(contextidr_el1);
        h = h * 31 + READ_SYSREG(cntv_cval_el0);
        h = h * 31 + (READ_SYSREG(cntkctl_el1) & 3);
        h = h * 31 + READ_SYSREG(mair_el1);
        ticks += READ_SYSREG(cntvct_el0) & 1;             /* read, not checked */
    }
    (void)ticks;
    return h;
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_map_block(CODE_VA, CODE_VA, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN, 2);
    mmu_enable();
    print_line("bench-osboot: generated code run once, patching + IC IVAU, SVCs, page faults, system registers (GCC -O2)");
    u64 old_vbar = READ_SYSREG(vbar_el1);
    WRITE_SYSREG(vbar_el1, (u64)osboot_vectors);
    __asm__ volatile("isb");
    u64 ctr = READ_SYSREG(ctr_el0);
    dline = 4UL << ((ctr >> 16) & 15);
    iline = 4UL << (ctr & 15);

    u64 s = sysregs();
    print_kv("sysregs", s);
    WRITE_SYSREG(tpidr_el1, 0x7f3a5c1d2e4b6a89UL);

    rng_state = 0x0123456789abcdefUL;
    u32 w = 0;
    while (nfuncs < MAX_FUNCS && w + 320 < CODE_BYTES / 4) {
        func_start[nfuncs++] = w;
        w = gen_function(w, 320);
    }
    sync_code(CODE_VA, 4UL * w);
    print_kv("functions", nfuncs);
    print_kv("code_words", w);

    u64 h1 = run_all(1);
    patch_all(1);
    u64 h2 = run_all(2);
    patch_all(0);
    u64 h3 = run_all(3);
    print_kv("pass1", h1);
    print_kv("pass2", h2);
    print_kv("pass3", h3);

    u64 d = demand_paging();
    print_kv("paging", d);
    print_kv("faults", faults);

    u64 k = 0;
    for (u64 i = 0; i < SYSCALLS; i++)
        k = k * 7 + syscall2(i & 3, k, i);
    print_kv("syscalls", svc_count);
    print_kv("syscall_hash", k ^ svc_sum ^ elr_sum);

    WRITE_SYSREG(vbar_el1, old_vbar);
    __asm__ volatile("isb");
    print_kv("checksum", s ^ h1 ^ (h2 << 1) ^ (h3 << 2) ^ d ^ faults ^ k ^ svc_sum ^ elr_sum);
    return 0;
}
