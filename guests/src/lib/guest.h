/* Shared definitions for the guest programs: usable from C and from preprocessed assembly (.S). */
#ifndef GUEST_H
#define GUEST_H

#define UART_BASE       0x09000000
#define UART_DR         0x00
#define UART_FR         0x18
#define UART_CR         0x30
#define UART_FR_TXFF    (1 << 5)

#define PSCI_SYSTEM_OFF 0x84000008

/* SCTLR_EL1 with the MMU, caches and every optional feature off: only the bits that are RES1 in Armv8.0
 * (and keep the Armv8.0 behaviour where later features gave them a meaning) are set: LSMAOE 29, nTLSMD 28,
 * SPAN 23, EIS 22, TSCXT 20, EOS 11. Little-endian, no alignment checks, no SP alignment checks,
 * UMA/UCT/UCI/DZE/nTWI/nTWE = 0 (EL0 may not touch DAIF, CTR_EL0, cache maintenance, DC ZVA; WFI/WFE trap). */
#define SCTLR_BASE      0x30D00800
#define SCTLR_M         (1 << 0)
#define SCTLR_A         (1 << 1)
#define SCTLR_C         (1 << 2)
#define SCTLR_SA        (1 << 3)
#define SCTLR_I         (1 << 12)

/* Mask of the SPSR fields the guests print: NZCV [31:28], DAIF [9:6], M [4:0]. The other PSTATE bits
 * (SSBS, PAN, UAO, DIT, TCO, BTYPE) depend on optional features and reset values, so they are not printed. */
#define SPSR_PRINT_MASK 0xF00003DF

/* Exception handling controls for the tests (see exceptions.c). */
#define RESUME_SKIP 0   /* default: faults resume at ELR+4, SVC/HVC at ELR */
#define RESUME_X30  1   /* one shot: resume at the x30 the faulting code had (for faults whose ELR cannot be skipped) */

#ifndef __ASSEMBLER__
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef long s64;

struct frame {
    u64 x[31];
    u64 elr;
    u64 spsr;
    u64 pad;
};

void print_char(char c);
void print_str(const char *s);           /* no newline added */
void print_hex(u64 v, int digits);  /* exactly `digits` hex digits, lower case */
void print_hex64(u64 v);            /* 16 hex digits */
void print_dec(u64 v);
void print_sdec(s64 v);
void print_kv(const char *label, u64 v); /* "label=<hex64>\n" */
void print_kvf(const char *label, u64 v, u64 nzcv); /* "label=<hex64> nzcv=<hex digit>\n" */
void print_flags(const char *label, u64 unused, u64 nzcv);
void print_line(const char *s);
void newline(void);
void poweroff(void) __attribute__((noreturn));

/* Exception handling state (see exceptions.c). */

extern volatile u64 exc_resume_mode;
extern volatile u64 exc_count;
#endif

#endif
