/*
 * A small MTE user program for the Linux guest (scripts/linux-guest/build.sh puts it in the initramfs as /mte-test):
 * checks HWCAP2_MTE, then in a child per tag check mode (synchronous, asynchronous, and both asked, which the kernel
 * resolves per CPU: asymmetric where the CPU has FEAT_MTE3 and its preference says so) enables checks with prctl,
 * maps PROT_MTE memory, tags a granule with IRG/STG, stores through the tagged pointer, then stores through a pointer
 * with another tag and expects SIGSEGV: si_code SEGV_MTESERR at that address (synchronous), or SEGV_MTEAERR at the
 * next kernel entry (asynchronous). Prints only what does not vary between runs (no addresses, no tags), so the
 * output of vmm-lite and QEMU can be compared line for line. Also does a little double arithmetic (FP in user space).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HWCAP2_MTE
#define HWCAP2_MTE (1 << 18)
#endif
#include "mte-uapi.h"
#ifndef PR_MTE_TCF_ASYNC
#define PR_MTE_TCF_ASYNC (1UL << 2)
#endif

static volatile unsigned char *expected_fault;

static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  if (si->si_code == SEGV_MTESERR_CODE) {
    int same = (unsigned long)si->si_addr == ((unsigned long)expected_fault & ((1UL << 56) - 1));
    printf("mte-test: SIGSEGV si_code %d (SEGV_MTESERR), at the access: %s\n", si->si_code, same ? "yes" : "no");
    fflush(stdout);
    _exit(same ? 0 : 1);
  }
  printf("mte-test: SIGSEGV si_code %d (SEGV_MTEAERR is %d), address %s\n", si->si_code, SEGV_MTEAERR_CODE,
         si->si_addr == 0 ? "0 (not known: asynchronous)" : "given");
  fflush(stdout);
  _exit(si->si_code == SEGV_MTEAERR_CODE ? 0 : 1);
}

static int child(const char *mode, unsigned long tcf) {
  if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | tcf | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0)) {
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
  printf("mte-test: %s: tagged store ok, tag non-zero: %s, harmonic(10) = %.6f\n", mode,
         ((unsigned long)t >> 56) != 0 ? "yes" : "no", d);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  expected_fault = (unsigned char *)((unsigned long)t ^ (1UL << 56));
  fflush(stdout);
  *expected_fault = 1;
  /* An asynchronous fault is reported at the next entry to the kernel: make one. */
  getppid();
  printf("mte-test: %s: the mismatched store did not fault\n", mode);
  return 5;
}

/* Tag-check one wrongly tagged store in a child with check mode `tcf`; returns what the child reported. */
static int run_mode(const char *name, unsigned long tcf) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(child(name, tcf));
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int main(void) {
  if (!(getauxval(AT_HWCAP2) & HWCAP2_MTE)) {
    printf("mte-test: no HWCAP2_MTE\n");
    return 2;
  }
  int rc = run_mode("sync", PR_MTE_TCF_SYNC);
  printf("mte-test: sync mode: exit %d\n", rc);
  int rc2 = run_mode("async", PR_MTE_TCF_ASYNC);
  printf("mte-test: async mode: exit %d\n", rc2);
  int rc3 = run_mode("asymm", PR_MTE_TCF_SYNC | PR_MTE_TCF_ASYNC);
  printf("mte-test: asymmetric mode (sync and async asked: the kernel picks per CPU): exit %d\n", rc3);
  return rc | rc2 | rc3;
}
