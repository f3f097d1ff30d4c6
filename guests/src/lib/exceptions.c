/* The synchronous exception handler shared by every guest.
 *
 * Each synchronous exception prints one line:
 *   EXC <from> EC=<2 hex> IL=<0|1> ISS=<7 hex> ESR=<16 hex> [FAR=<16 hex>] ELR=<16 hex> SPSR=<8 hex>
 * <from> is EL1 (current EL, SP_EL1), EL1t (current EL, SP_EL0) or EL0 (lower EL, AArch64).
 * FAR is printed only where the architecture defines it: instruction and data aborts with ESR.ISS.FnV = 0, and
 * PC alignment faults. SPSR is masked with SPSR_PRINT_MASK (NZCV, DAIF, M). For synchronous External aborts the
 * EA bit (ISS bit 9, an IMPLEMENTATION DEFINED classification) is cleared and the field is labelled ESR&~EA.
 * For Tag Check faults FAR[63:60] (UNKNOWN without FEAT_MTE_TAGGED_FAR) is cleared: FAR&0fffffffffffffff.
 *
 * Then: SVC/HVC (whose preferred return address is already the next instruction) resume at ELR;
 * every other exception resumes at ELR + 4 (skipping the faulting instruction), unless the test asked for
 * RESUME_X30. SVC also returns x0 = ~x0, x1 = the immediate and x2 = DAIF inside the handler, so tests can see the handler ran.
 * SVC #0xffff from EL0 ends run_el0. Any other vector (IRQ, FIQ, SError, AArch32) prints UNEXPECTED and powers off.
 */
#include "guest.h"

volatile u64 exc_resume_mode;
volatile u64 exc_count;

#define READ_SYSREG(name) ({ u64 _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })

#define EC_UNKNOWN      0x00
#define EC_SVC64        0x15
#define EC_HVC64        0x16
#define EC_IABT_LOWER   0x20
#define EC_IABT_CUR     0x21
#define EC_PC_ALIGN     0x22
#define EC_DABT_LOWER   0x24
#define EC_DABT_CUR     0x25

static int far_is_valid(u64 ec, u64 iss)
{
    switch (ec) {
    case EC_IABT_LOWER:
    case EC_IABT_CUR:
    case EC_DABT_LOWER:
    case EC_DABT_CUR:
        return !(iss & (1 << 10)); /* FnV */
    case EC_PC_ALIGN:
        return 1;
    default:
        return 0;
    }
}

/* A synchronous External abort (DFSC/IFSC 0x10, or 0x13-0x17 on a translation table walk). */
static int is_external_abort(u64 ec, u64 iss)
{
    u64 fsc = iss & 0x3f;
    if (ec != EC_IABT_LOWER && ec != EC_IABT_CUR && ec != EC_DABT_LOWER && ec != EC_DABT_CUR)
        return 0;
    return fsc == 0x10 || (fsc >= 0x13 && fsc <= 0x17);
}

/* A synchronous Tag Check fault (MTE): DFSC 0x11 on a data abort. */
static int is_tag_check_fault(u64 ec, u64 iss)
{
    return (ec == EC_DABT_LOWER || ec == EC_DABT_CUR) && (iss & 0x3f) == 0x11;
}

u64 exc_dispatch(u64 index, struct frame *f)
{
    u64 esr = READ_SYSREG(esr_el1);
    u64 far = READ_SYSREG(far_el1);
    u64 ec = (esr >> 26) & 0x3f;
    u64 iss = esr & 0x1ffffff;

    if (++exc_count > 64) {
        print_str("TOO MANY EXCEPTIONS\n");
        poweroff();
    }
    if (index != 0 && index != 4 && index != 8) {
        print_str("UNEXPECTED VECTOR ");
        print_hex(index * 0x80, 3);
        print_str(" ESR=");
        print_hex64(esr);
        print_str(" ELR=");
        print_hex64(f->elr);
        newline();
        poweroff();
    }

    print_str("EXC ");
    print_str(index == 8 ? "EL0" : index == 0 ? "EL1t" : "EL1");
    print_str(" EC=");
    print_hex(ec, 2);
    print_str(" IL=");
    print_hex((esr >> 25) & 1, 1);
    /* ESR.ISS.EA (bit 9) is an IMPLEMENTATION DEFINED classification of External aborts: not printed for them. */
    int ea_hidden = is_external_abort(ec, iss);
    if (ea_hidden) {
        iss &= ~(u64)(1 << 9);
        esr &= ~(u64)(1 << 9);
    }
    print_str(" ISS=");
    print_hex(iss, 7);
    print_str(ea_hidden ? " ESR&~EA=" : " ESR=");
    print_hex64(esr);
    if (far_is_valid(ec, iss)) {
        if (is_tag_check_fault(ec, iss)) {
            /* FAR[63:60] is UNKNOWN for a Tag Check fault (without FEAT_MTE_TAGGED_FAR) */
            print_str(" FAR&0fffffffffffffff=");
            print_hex64(far & 0x0fffffffffffffffUL);
        } else {
            print_str(" FAR=");
            print_hex64(far);
        }
    }
    print_str(" ELR=");
    print_hex64(f->elr);
    print_str(" SPSR=");
    print_hex(f->spsr & SPSR_PRINT_MASK, 8);
    newline();

    if (ec == EC_SVC64) {
        u64 imm = iss & 0xffff;
        if (index == 8 && imm == 0xffff)
            return 1; /* leave EL0: run_el0 returns */
        f->x[0] = ~f->x[0];
        f->x[1] = imm;
        f->x[2] = READ_SYSREG(daif); /* D, A, I, F as the handler sees them: all masked on exception entry */
    }

    if (exc_resume_mode == RESUME_X30) {
        exc_resume_mode = RESUME_SKIP;
        f->elr = f->x[30];
    } else if (ec != EC_SVC64 && ec != EC_HVC64) {
        f->elr += 4;
    }
    return 0;
}
