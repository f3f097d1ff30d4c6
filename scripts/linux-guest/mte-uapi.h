/*
 * The Linux user-space MTE interface the guest programs (mte-test.c, mte-hold.c) use, for C libraries whose headers
 * predate it: PROT_MTE, the tagged-address prctl with its tag check fault modes, and the SIGSEGV si_codes of tag check
 * faults (values from the kernel's uapi headers: asm/mman.h, linux/prctl.h, asm-generic/siginfo.h).
 */
#ifndef KVM_MTE_GUEST_MTE_UAPI_H
#define KVM_MTE_GUEST_MTE_UAPI_H

#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif
#ifndef PR_SET_TAGGED_ADDR_CTRL
#define PR_SET_TAGGED_ADDR_CTRL 55
#define PR_TAGGED_ADDR_ENABLE (1UL << 0)
#endif
#ifndef PR_MTE_TCF_SYNC
#define PR_MTE_TCF_SHIFT 1
#define PR_MTE_TCF_SYNC (1UL << PR_MTE_TCF_SHIFT)
#define PR_MTE_TAG_SHIFT 3
#endif
#define SEGV_MTESERR_CODE 9
#define SEGV_MTEAERR_CODE 8

#endif
