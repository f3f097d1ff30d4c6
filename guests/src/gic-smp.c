/* GICv3 interrupts across two vCPUs: the EL1 virtual and physical timers, SGIs by priority, preemption, EOImode 1
 * with ICC_DIR_EL1, SGIs between CPUs (a target list and "all but self"), SPIs routed by GICD_IROUTER, and
 * PSCI CPU_ON/CPU_OFF/AFFINITY_INFO.
 *
 * Only CPU 0 prints; CPU 1 records what it saw in memory and CPU 0 prints it after a handshake, so the output does
 * not depend on how the two CPUs interleave (QEMU runs them in parallel threads). Nothing printed depends on
 * timing: timer tests print which interrupt came and what the timer said, not when.
 *
 * machine: smp=2 gic-version=3
 */
#include "guest.h"

#define GICD            0x08000000UL
#define GICR(cpu)       (0x080A0000UL + (u64)(cpu) * 0x20000)
#define SGI_BASE(cpu)   (GICR(cpu) + 0x10000)

#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ISPENDR    0x0200
#define GICD_ISACTIVER  0x0300
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0C00
#define GICD_IROUTER    0x6000

#define GICR_TYPER      0x0008
#define GICR_WAKER      0x0014
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ISPENDR0   0x0200
#define GICR_ICPENDR0   0x0280
#define GICR_ISACTIVER0 0x0300
#define GICR_IPRIORITYR 0x0400

#define PSCI_CPU_OFF        0x84000002UL
#define PSCI_CPU_ON         0xC4000003UL
#define PSCI_AFFINITY_INFO  0xC4000004UL

#define INTID_VTIMER    27
#define INTID_PTIMER    30
#define INTID_SPI_A     100     /* SPI 68: nothing on the virt board uses it */
#define INTID_SPI_B     101
#define SPURIOUS        1023

#define SYSREG_R(name) ({ u64 _v; __asm__ volatile("mrs %0, " name : "=r"(_v)); _v; })
#define SYSREG_W(name, v) __asm__ volatile("msr " name ", %0" :: "r"((u64)(v)) : "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb sy" ::: "memory")

/* MMIO accessors as single loads and stores without writeback, as Linux's readl/writel are: under KVM an access
 * whose syndrome has no ISV (a writeback or pair form) cannot be emulated (vmm-lite then injects an External abort). */
static inline u32 rd32(u64 a) { u32 v; __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline void wr32(u64 a, u32 v) { __asm__ volatile("str %w0, [%1]" :: "r"(v), "r"(a) : "memory"); }
static inline u64 rd64(u64 a) { u64 v; __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline void wr64(u64 a, u64 v) { __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(a) : "memory"); }

static u64 psci(u64 fn, u64 a1, u64 a2, u64 a3)
{
    register u64 x0 __asm__("x0") = fn;
    register u64 x1 __asm__("x1") = a1;
    register u64 x2 __asm__("x2") = a2;
    register u64 x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    return x0;
}

/* What each CPU's interrupt handler saw, in order. */
#define LOG_MAX 32
struct cpu_log {
    volatile u32 n;
    volatile u32 intid[LOG_MAX];
    volatile u64 rpr[LOG_MAX];      /* ICC_RPR_EL1 just after the acknowledge */
};
static struct cpu_log logs[2];

/* Per-test behaviour of the handler. */
static volatile u32 eoi_mode1;          /* CPU 0: EOImode 1, the handler only drops priority */
static volatile u64 timer_ctl_seen;     /* CNTx_CTL_EL0 read in the handler before it disables the timer */
static volatile u64 timer_late;         /* the count had reached CVAL when the interrupt was taken */
static volatile u64 nested_rpr_after;   /* ICC_RPR_EL1 back in the outer handler after the nested one */

/* CPU 1's side. */
static volatile u32 cpu1_state;         /* 1 running, 2 GIC ready, then the step numbers CPU 0 hands out */
static volatile u64 cpu1_mpidr;
static volatile u64 cpu1_gicr_typer;
static volatile u32 cpu1_step;          /* CPU 0 writes the next step; CPU 1 writes cpu1_done = step when done */
static volatile u32 cpu1_done;
static volatile u64 cpu1_timer_ctl_seen;
static u8 cpu1_stack[8192] __attribute__((aligned(16), used));

static u32 cpu_id(void) { return (u32)(SYSREG_R("mpidr_el1") & 0xff); }

static void log_push(u32 cpu, u32 intid, u64 rpr)
{
    struct cpu_log *l = &logs[cpu];
    u32 n = l->n;
    if (n < LOG_MAX) {
        l->intid[n] = intid;
        l->rpr[n] = rpr;
        DSB();
        l->n = n + 1;
    }
}

static void send_sgi(u32 intid, u32 target_list, int all_but_self)
{
    u64 v = ((u64)intid << 24) | (all_but_self ? (1UL << 40) : (u64)target_list);
    SYSREG_W("S3_0_C12_C11_5", v);      /* ICC_SGI1R_EL1 */
    ISB();
}

static void wait_log(u32 cpu, u32 n)
{
    for (u32 spins = 0; logs[cpu].n < n && spins < 10000000; spins++) __asm__ volatile("yield");
}

/* The IRQ handler of both CPUs (called from the vector below with IRQs masked). */
void irq_handler(void)
{
    u32 cpu = cpu_id();
    u64 iar = SYSREG_R("S3_0_C12_C12_0");      /* ICC_IAR1_EL1 */
    u32 intid = (u32)(iar & 0xffffff);
    u64 rpr = SYSREG_R("S3_0_C12_C11_3");      /* ICC_RPR_EL1 */
    log_push(cpu, intid, rpr);
    if (intid == SPURIOUS) return;

    if (intid == INTID_VTIMER) {
        u64 ctl = SYSREG_R("cntv_ctl_el0");
        u64 late = SYSREG_R("cntvct_el0") >= SYSREG_R("cntv_cval_el0");
        SYSREG_W("cntv_ctl_el0", 0);
        ISB();
        if (cpu == 0) { timer_ctl_seen = ctl; timer_late = late; } else cpu1_timer_ctl_seen = ctl | (late << 8);
    } else if (intid == INTID_PTIMER) {
        u64 ctl = SYSREG_R("cntp_ctl_el0");
        u64 late = SYSREG_R("cntpct_el0") >= SYSREG_R("cntp_cval_el0");
        SYSREG_W("cntp_ctl_el0", 0);
        ISB();
        timer_ctl_seen = ctl;
        timer_late = late;
    } else if (intid == 6 && cpu == 0) {
        /* Preemption: a higher-priority SGI sent from inside this handler is taken as soon as IRQs are unmasked. */
        u32 before = logs[0].n;
        send_sgi(7, 1, 0);
        __asm__ volatile("msr daifclr, #2" ::: "memory");
        wait_log(0, before + 1);
        __asm__ volatile("msr daifset, #2" ::: "memory");
        nested_rpr_after = SYSREG_R("S3_0_C12_C11_3");
    } else if (intid == 1 && cpu == 1) {
        send_sgi(2, 1 << 0, 0);                 /* answer CPU 0 */
    }

    SYSREG_W("S3_0_C12_C12_1", iar);            /* ICC_EOIR1_EL1 */
    ISB();
}

/* Vector table: IRQs from the current EL (SP_ELx) go to irq_handler; everything else to the runtime's vectors. */
__asm__(
    "    .section .text.gicvec, \"ax\"\n"
    "    .balign 2048\n"
    "gic_vectors:\n"
    "    .irp idx, 0,1,2,3,4\n"
    "    .balign 128\n"
    "    b vectors + \\idx * 128\n"
    "    .endr\n"
    "    .balign 128\n"                         /* 5: current EL with SP_ELx, IRQ */
    "    stp x29, x30, [sp, #-176]!\n"
    "    stp x0, x1, [sp, #16]\n"
    "    stp x2, x3, [sp, #32]\n"
    "    stp x4, x5, [sp, #48]\n"
    "    stp x6, x7, [sp, #64]\n"
    "    stp x8, x9, [sp, #80]\n"
    "    stp x10, x11, [sp, #96]\n"
    "    stp x12, x13, [sp, #112]\n"
    "    b gic_irq_common\n"
    "    .irp idx, 6,7,8,9,10,11,12,13,14,15\n"
    "    .balign 128\n"
    "    b vectors + \\idx * 128\n"
    "    .endr\n"
    "gic_irq_common:\n"
    "    stp x14, x15, [sp, #128]\n"
    "    stp x16, x17, [sp, #144]\n"
    "    mrs x0, elr_el1\n"
    "    mrs x1, spsr_el1\n"
    "    stp x0, x1, [sp, #160]\n"
    "    stp x18, xzr, [sp, #-16]!\n"
    "    bl irq_handler\n"
    "    ldp x18, xzr, [sp], #16\n"
    "    ldp x0, x1, [sp, #160]\n"
    "    msr elr_el1, x0\n"
    "    msr spsr_el1, x1\n"
    "    ldp x0, x1, [sp, #16]\n"
    "    ldp x2, x3, [sp, #32]\n"
    "    ldp x4, x5, [sp, #48]\n"
    "    ldp x6, x7, [sp, #64]\n"
    "    ldp x8, x9, [sp, #80]\n"
    "    ldp x10, x11, [sp, #96]\n"
    "    ldp x12, x13, [sp, #112]\n"
    "    ldp x14, x15, [sp, #128]\n"
    "    ldp x16, x17, [sp, #144]\n"
    "    ldp x29, x30, [sp], #176\n"
    "    eret\n"
    /* CPU 1 starts here (PSCI CPU_ON), at EL1 with the MMU off: a stack, then C. */
    "    .text\n"
    "    .global cpu1_entry\n"
    "cpu1_entry:\n"
    "    msr daifset, #0xf\n"
    "    adrp x1, cpu1_stack + 8192\n"
    "    add x1, x1, :lo12:cpu1_stack + 8192\n"
    "    msr spsel, #1\n"
    "    mov sp, x1\n"
    "    bl cpu1_main\n"
    "1:  wfi\n"
    "    b 1b\n"
);
extern char gic_vectors[];
extern char cpu1_entry[];

static void gic_dist_init(void)
{
    wr32(GICD + GICD_CTLR, (1 << 4) | (1 << 1) | (1 << 0));    /* ARE, EnableGrp1, EnableGrp0 */
    for (u32 id = INTID_SPI_A; id <= INTID_SPI_B; id++) {
        u32 bit = 1u << (id % 32);
        wr32(GICD + GICD_IGROUPR + (id / 32) * 4, rd32(GICD + GICD_IGROUPR + (id / 32) * 4) | bit);
        u64 pr = GICD + GICD_IPRIORITYR + (id & ~3u);
        wr32(pr, (rd32(pr) & ~(0xffu << ((id % 4) * 8))) | (0x80u << ((id % 4) * 8)));
        u64 cfg = GICD + GICD_ICFGR + (id / 16) * 4;
        wr32(cfg, rd32(cfg) | (2u << ((id % 16) * 2)));        /* edge-triggered */
        wr32(GICD + GICD_ISENABLER + (id / 32) * 4, bit);
    }
    wr64(GICD + GICD_IROUTER + INTID_SPI_A * 8, 1);             /* SPI A to CPU 1 (Aff0 = 1) */
    wr64(GICD + GICD_IROUTER + INTID_SPI_B * 8, 0);             /* SPI B to CPU 0 */
}

/* Redistributor and CPU interface of the calling CPU; SGIs 0-15 and the two timer PPIs enabled, group 1. */
static void gic_cpu_init(u32 cpu)
{
    static const u8 sgi_prio[16] = {
        0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0xa0, 0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    };
    u64 rd = GICR(cpu), sgi = SGI_BASE(cpu);
    wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~2u);         /* ProcessorSleep = 0 */
    for (u32 spins = 0; (rd32(rd + GICR_WAKER) & 4u) && spins < 100000; spins++) {}
    wr32(sgi + GICR_IGROUPR0, 0xffffffffu);
    for (u32 i = 0; i < 16; i += 4)
        wr32(sgi + GICR_IPRIORITYR + i, sgi_prio[i] | (sgi_prio[i + 1] << 8) | (sgi_prio[i + 2] << 16) | ((u32)sgi_prio[i + 3] << 24));
    wr32(sgi + GICR_IPRIORITYR + 24, 0x90909090u);              /* PPIs 24-27 */
    wr32(sgi + GICR_IPRIORITYR + 28, 0x90909090u);              /* PPIs 28-31 */
    wr32(sgi + GICR_ISENABLER0, 0xffffu | (1u << INTID_VTIMER) | (1u << INTID_PTIMER));
    SYSREG_W("S3_0_C12_C12_5", 7);              /* ICC_SRE_EL1: SRE, DFB, DIB */
    ISB();
    SYSREG_W("S3_0_C4_C6_0", 0xff);             /* ICC_PMR_EL1 */
    SYSREG_W("S3_0_C12_C12_3", 0);              /* ICC_BPR1_EL1 */
    SYSREG_W("S3_0_C12_C12_4", 0);              /* ICC_CTLR_EL1: EOImode 0 */
    SYSREG_W("S3_0_C12_C12_7", 1);              /* ICC_IGRPEN1_EL1 */
    ISB();
}

/* CPU 0 unmasks IRQs until its log has `n` entries (bounded), and a little longer, so that an interrupt that
 * should not be taken would show in the log; then masks them again. */
static void take_irqs(u32 n)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    wait_log(0, n);
    __asm__ volatile("isb; nop; nop; msr daifset, #2" ::: "memory");
}

static void print_log(const char *label, u32 cpu, u32 from, int with_rpr)
{
    print_str(label);
    print_str(":");
    for (u32 i = from; i < logs[cpu].n; i++) {
        print_str(" ");
        print_dec(logs[cpu].intid[i]);
        if (with_rpr) {
            print_str("@");
            print_hex(logs[cpu].rpr[i], 2);
        }
    }
    newline();
}

/*
 * Called with IRQs masked: waits until `cpu` has logged n interrupts. The check and the WFI run masked, and WFI
 * wakes for an interrupt that PSTATE.I masks; the interrupt is then taken in a short unmasked window. With IRQs
 * unmasked around the WFI, an interrupt taken between the check and the WFI would leave the CPU asleep with
 * nothing more to come (QEMU hung so once in CI, on the physical timer).
 */
static void wfi_until(u32 cpu, u32 n)
{
    for (u32 spins = 0; logs[cpu].n < n && spins < 1000000; spins++)
        __asm__ volatile("wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
}

/* CPU 0 waits in WFI for the timer it armed; then prints what its handler saw (no newline). */
static void wait_timer_irq(const char *name, u32 before)
{
    ISB();
    wfi_until(0, before + 1);
    print_str(name);
    print_log(" irqs", 0, before, 0);
    print_str(name);
    print_str(": ctl in handler=");
    print_hex(timer_ctl_seen, 1);
    print_str(" count>=cval=");
    print_hex(timer_late, 1);
}

static void test_timers(void)
{
    u32 before = logs[0].n;
    print_kv("CNTFRQ_EL0", SYSREG_R("cntfrq_el0"));

    /* Virtual timer, CVAL a little in the future; the CPU waits in WFI with IRQs unmasked. */
    SYSREG_W("cntv_cval_el0", SYSREG_R("cntvct_el0") + 2000);
    SYSREG_W("cntv_ctl_el0", 1);
    wait_timer_irq("vtimer", before);
    print_str(" ctl now=");
    print_hex(SYSREG_R("cntv_ctl_el0"), 1);
    newline();

    /* Physical timer through TVAL; then a timer that has already expired is pending as soon as it is enabled. */
    before = logs[0].n;
    SYSREG_W("cntp_tval_el0", 3000);
    SYSREG_W("cntp_ctl_el0", 1);
    wait_timer_irq("ptimer", before);
    newline();

    before = logs[0].n;
    SYSREG_W("cntv_cval_el0", 0);
    SYSREG_W("cntv_ctl_el0", 1);
    ISB();
    print_str("expired vtimer: ctl=");
    print_hex(SYSREG_R("cntv_ctl_el0"), 1);
    for (u32 spins = 0; !(rd32(SGI_BASE(0) + GICR_ISPENDR0) & (1u << INTID_VTIMER)) && spins < 100000; spins++) {}
    print_str(" pending=");
    print_hex((rd32(SGI_BASE(0) + GICR_ISPENDR0) >> INTID_VTIMER) & 1, 1);
    SYSREG_W("cntv_ctl_el0", 3);                /* masked: the level drops */
    ISB();
    for (u32 spins = 0; (rd32(SGI_BASE(0) + GICR_ISPENDR0) & (1u << INTID_VTIMER)) && spins < 100000; spins++) {}
    print_str(" masked ctl=");
    print_hex(SYSREG_R("cntv_ctl_el0"), 1);
    print_str(" pending=");
    print_hex((rd32(SGI_BASE(0) + GICR_ISPENDR0) >> INTID_VTIMER) & 1, 1);
    newline();
    SYSREG_W("cntv_ctl_el0", 0);
    ISB();
    __asm__ volatile("msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
    print_log("irqs taken after masking", 0, before, 0);
}

static void test_priorities(void)
{
    /* SGIs 3 (priority 0x80), 5 (0x40) and 9 (0x80) pended with IRQs masked: 5 first, then 3 before 9 (same
     * priority: the lower INTID). */
    u32 before = logs[0].n;
    send_sgi(3, 1, 0);
    send_sgi(9, 1, 0);
    send_sgi(5, 1, 0);
    for (u32 spins = 0; (rd32(SGI_BASE(0) + GICR_ISPENDR0) & 0x228u) != 0x228u && spins < 100000; spins++) {}
    print_str("pending SGIs=");
    print_hex(rd32(SGI_BASE(0) + GICR_ISPENDR0) & 0xffff, 4);
    print_str(" HPPIR1=");
    print_dec(SYSREG_R("S3_0_C12_C12_2") & 0xffffff);
    newline();
    /* PMR 0x80 hides priority 0x80 and below: only SGI 5 is taken. */
    SYSREG_W("S3_0_C4_C6_0", 0x80);
    ISB();
    take_irqs(before + 1);
    print_log("with PMR=80", 0, before, 1);
    before = logs[0].n;
    SYSREG_W("S3_0_C4_C6_0", 0xff);
    ISB();
    take_irqs(before + 2);
    print_log("with PMR=ff", 0, before, 1);
    print_kv("RPR idle", SYSREG_R("S3_0_C12_C11_3"));

    /* Preemption: SGI 6 (0xa0) sends itself SGI 7 (0x20) and unmasks IRQs inside its handler. */
    before = logs[0].n;
    send_sgi(6, 1, 0);
    take_irqs(before + 2);
    print_log("preemption", 0, before, 1);
    print_kv("RPR in SGI 6 after SGI 7", nested_rpr_after);
}

static void test_eoimode1(void)
{
    u32 before = logs[0].n;
    SYSREG_W("S3_0_C12_C12_4", 2);              /* ICC_CTLR_EL1.EOImode = 1 */
    ISB();
    print_str("ICC_CTLR_EL1.EOImode=");
    print_hex((SYSREG_R("S3_0_C12_C12_4") >> 1) & 1, 1);
    newline();
    send_sgi(11, 1, 0);
    take_irqs(before + 1);
    print_log("eoimode1", 0, before, 0);
    print_str("after EOIR: active=");
    print_hex(rd32(SGI_BASE(0) + GICR_ISACTIVER0) & 0xffff, 4);
    print_str(" RPR=");
    print_hex(SYSREG_R("S3_0_C12_C11_3"), 2);
    /* Still active: the same SGI sent again stays pending, not taken. */
    send_sgi(11, 1, 0);
    __asm__ volatile("msr daifclr, #2; isb; nop; nop; msr daifset, #2" ::: "memory");
    print_str(" taken again=");
    print_dec(logs[0].n - before - 1);
    SYSREG_W("S3_0_C12_C11_1", 11);             /* ICC_DIR_EL1 */
    ISB();
    print_str(" after DIR: active=");
    print_hex(rd32(SGI_BASE(0) + GICR_ISACTIVER0) & 0xffff, 4);
    newline();
    take_irqs(before + 2);
    SYSREG_W("S3_0_C12_C11_1", 11);             /* the second one is deactivated too */
    SYSREG_W("S3_0_C12_C12_4", 0);
    ISB();
    print_log("eoimode1 after DIR", 0, before, 0);
    print_str("active=");
    print_hex(rd32(SGI_BASE(0) + GICR_ISACTIVER0) & 0xffff, 4);
    newline();
}

/* CPU 1: set up its GIC, then do the steps CPU 0 hands out, with IRQs unmasked in between. */
void cpu1_main(void)
{
    SYSREG_W("sctlr_el1", SCTLR_BASE);
    SYSREG_W("cpacr_el1", 0);
    SYSREG_W("vbar_el1", (u64)gic_vectors);
    ISB();
    cpu1_mpidr = SYSREG_R("mpidr_el1");
    cpu1_state = 1;
    gic_cpu_init(1);
    cpu1_gicr_typer = rd64(GICR(1) + GICR_TYPER);
    DSB();
    cpu1_state = 2;
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    for (;;) {
        u32 step = cpu1_step;
        if (step == cpu1_done) {
            __asm__ volatile("wfe" ::: "memory");
            continue;
        }
        if (step == 100) {                      /* arm the virtual timer and wait for it */
            u32 n = logs[1].n;
            __asm__ volatile("msr daifset, #2" ::: "memory");
            SYSREG_W("cntv_cval_el0", SYSREG_R("cntvct_el0") + 1000);
            SYSREG_W("cntv_ctl_el0", 1);
            ISB();
            wfi_until(1, n + 1);
            __asm__ volatile("msr daifclr, #2" ::: "memory");
        } else if (step == 200) {               /* power off */
            __asm__ volatile("msr daifset, #2" ::: "memory");
            DSB();
            cpu1_done = step;
            DSB();
            psci(PSCI_CPU_OFF, 0, 0, 0);
            for (;;) __asm__ volatile("wfi");
        }
        DSB();
        cpu1_done = step;
        DSB();
        __asm__ volatile("sev" ::: "memory");
    }
}

static void cpu1_do(u32 step)
{
    DSB();
    cpu1_step = step;
    DSB();
    __asm__ volatile("sev" ::: "memory");
    for (u32 spins = 0; cpu1_done != step && spins < 10000000; spins++) __asm__ volatile("yield");
}

static void test_two_cpus(void)
{
    print_str("AFFINITY_INFO(1) before CPU_ON=");
    print_dec(psci(PSCI_AFFINITY_INFO, 1, 0, 0));
    newline();
    u64 r = psci(PSCI_CPU_ON, 1, (u64)cpu1_entry, 0);
    print_str("CPU_ON=");
    print_dec(r);
    for (u32 spins = 0; cpu1_state != 2 && spins < 10000000; spins++) __asm__ volatile("yield");
    print_str(" cpu1 state=");
    print_dec(cpu1_state);
    print_str(" AFFINITY_INFO(1)=");
    print_dec(psci(PSCI_AFFINITY_INFO, 1, 0, 0));
    newline();
    print_kv("cpu1 MPIDR_EL1", cpu1_mpidr);
    print_str("GICR_TYPER: cpu0 aff=");
    print_hex(rd64(GICR(0) + GICR_TYPER) >> 32, 8);
    print_str(" last=");
    print_hex((rd64(GICR(0) + GICR_TYPER) >> 4) & 1, 1);
    print_str(" cpu1 aff=");
    print_hex(cpu1_gicr_typer >> 32, 8);
    print_str(" last=");
    print_hex((cpu1_gicr_typer >> 4) & 1, 1);
    newline();

    /* SGI 1 to CPU 1, whose handler answers with SGI 2 to CPU 0. */
    u32 b0 = logs[0].n, b1 = logs[1].n;
    send_sgi(1, 1 << 1, 0);
    take_irqs(b0 + 1);
    wait_log(1, b1 + 1);
    print_log("cpu1 got", 1, b1, 0);
    print_log("cpu0 got", 0, b0, 0);

    /* "All but self" (IRM = 1): only CPU 1. */
    b0 = logs[0].n;
    b1 = logs[1].n;
    send_sgi(4, 0, 1);
    wait_log(1, b1 + 1);
    __asm__ volatile("msr daifclr, #2; isb; nop; nop; msr daifset, #2" ::: "memory");
    print_log("all-but-self: cpu1 got", 1, b1, 0);
    print_log("all-but-self: cpu0 got", 0, b0, 0);

    /* An SPI made pending by software, routed to CPU 1; another routed to CPU 0. */
    b0 = logs[0].n;
    b1 = logs[1].n;
    wr32(GICD + GICD_ISPENDR + (INTID_SPI_A / 32) * 4, 1u << (INTID_SPI_A % 32));
    wait_log(1, b1 + 1);
    wr32(GICD + GICD_ISPENDR + (INTID_SPI_B / 32) * 4, 1u << (INTID_SPI_B % 32));
    take_irqs(b0 + 1);
    print_log("SPI: cpu1 got", 1, b1, 0);
    print_log("SPI: cpu0 got", 0, b0, 0);

    /* CPU 1's own virtual timer. */
    b1 = logs[1].n;
    cpu1_do(100);
    print_log("cpu1 vtimer irqs", 1, b1, 0);
    print_str("cpu1 vtimer: ctl in handler=");
    print_hex(cpu1_timer_ctl_seen & 0xff, 1);
    print_str(" count>=cval=");
    print_hex(cpu1_timer_ctl_seen >> 8, 1);
    newline();

    cpu1_do(200);
    u64 info = 0;
    for (u32 spins = 0; spins < 1000000; spins++) {
        info = psci(PSCI_AFFINITY_INFO, 1, 0, 0);
        if (info == 1) break;
    }
    print_str("after CPU_OFF: AFFINITY_INFO(1)=");
    print_dec(info);
    newline();
}

int main(void)
{
    SYSREG_W("vbar_el1", (u64)gic_vectors);
    ISB();
    print_line("gic-smp: GICv3, two CPUs");
    print_kv("cpu0 MPIDR_EL1", SYSREG_R("mpidr_el1"));
    gic_dist_init();
    gic_cpu_init(0);
    print_str("GICD_CTLR=");
    print_hex(rd32(GICD + GICD_CTLR) & 0x7fffffffu, 8);
    print_str(" ITLinesNumber=");
    print_dec(rd32(GICD + GICD_TYPER) & 0x1f);
    print_str(" ICC_SRE_EL1=");
    print_hex(SYSREG_R("S3_0_C12_C12_5"), 1);
    print_str(" PMR=");
    print_hex(SYSREG_R("S3_0_C4_C6_0"), 2);
    newline();
    test_timers();
    test_priorities();
    test_eoimode1();
    test_two_cpus();
    print_line("gic-smp: done");
    return 0;
}
