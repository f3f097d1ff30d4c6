/*
 * A small MTE user program for the Linux guest (scripts/linux-guest/build.sh puts it in the initramfs as /mte-test):
 * checks HWCAP2_MTE, enables synchronous tag checks with prctl, maps PROT_MTE memory, tags a granule with IRG/STG,
 * stores through the tagged pointer, then stores through a pointer with another tag and expects SIGSEGV with
 * si_code SEGV_MTESERR at that address. Prints only what does not vary between runs (no addresses, no tags), so the
 * output of vmm-lite and QEMU can be compared line for line. Also does a little double arithmetic (FP in user space).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef HWCAP2_MTE
#define HWCAP2_MTE (1 << 18)
#endif
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

static volatile unsigned char *expected_fault;

static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  int same = (unsigned long)si->si_addr == ((unsigned long)expected_fault & ((1UL << 56) - 1));
  printf("mte-test: SIGSEGV si_code %d (SEGV_MTESERR %d), at the access: %s\n", si->si_code, SEGV_MTESERR_CODE,
         same ? "yes" : "no");
  fflush(stdout);
  _exit(si->si_code == SEGV_MTESERR_CODE && same ? 0 : 1);
}

int main(void) {
  if (!(getauxval(AT_HWCAP2) & HWCAP2_MTE)) {
    printf("mte-test: no HWCAP2_MTE\n");
    return 2;
  }
  if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0)) {
    perror("mte-test: prctl");
    return 3;
  }
  unsigned char *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mte-test: mmap");
    return 4;
  }
  unsigned char *t;
  __asm__ volatile("irg %0, %1" : "=r"(t) : "r"(p));
  __asm__ volatile("stg %0, [%0]" : : "r"(t) : "memory");
  t[0] = 42;
  double d = 0;
  for (int i = 1; i <= 10; i++) d += 1.0 / i;
  printf("mte-test: tagged store ok, tag non-zero: %s, harmonic(10) = %.6f\n", ((unsigned long)t >> 56) != 0 ? "yes" : "no", d);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  expected_fault = (unsigned char *)((unsigned long)t ^ (1UL << 56));
  fflush(stdout);
  *expected_fault = 1;
  printf("mte-test: the mismatched store did not fault\n");
  return 5;
}
