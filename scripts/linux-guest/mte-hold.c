/*
 * A process that holds tagged heap memory across a host event, for the Linux rows of the policy matrix
 * (examples/policy-matrix, src/linux-*.ts). scripts/linux-guest/build.sh puts it in the initramfs as /mte-hold; /init
 * runs it for `kvm_mte.run=mte-hold`.
 *
 * 1. Enables synchronous tag checks (prctl), maps HOLD_PAGES pages PROT_MTE and gives granule g the tag g % 16 (STG
 *    through a pointer carrying that tag) and the data word g ^ DATA_MAGIC.
 * 2. Prints one "ready" line with the guest-physical page frame of every page (from /proc/self/pagemap), so the host
 *    can tell which of its pages hold the tags (e.g. to make sure they are swapped out), then blocks reading one line
 *    from the console (stdin): the host's event happens while it waits.
 * 3. Does what the line asks:
 *    - "check": reads every granule's tag back with LDG (through an untagged pointer), then does a tag-checked load
 *      of every granule's data word through the pointer it tagged it with, stopping at the first fault.
 *    - "fb": first looks for a simple-framebuffer node in the device tree (/proc/device-tree/chosen/framebuffer@*).
 *      Without one it says so. With one it maps its pixels from /dev/mem, first asking for PROT_MTE (Linux refuses
 *      PROT_MTE on anything but anonymous or shmem/memfd memory: the errno is reported), then without; writes a
 *      pattern to every pixel and reads it back. Then it does the "check" steps.
 * 4. Prints one "report" line (below) and exits 0 (1 for a failure of its own: prctl, mmap, pagemap).
 *
 * The report line (one line, keys in this order, parsed by the host):
 *   mte-hold: report ldg=<granules whose tag reads back right>/<granules> loads=<checked loads that passed>/<granules>
 *     data=<loads that read the right data>/<granules> fault=<none | SIGSEGV/SEGV_MTESERR@<granule> |
 *     SIGSEGV/code<N>@<granule> | SIGBUS/code<N>@<granule>>
 *   and, after "fb": mte-hold: fb <none | base=0x.. WxH prot_mte=<errno name or ok> pixels=<right>/<all> | error ...>
 *   (the fb line comes before the report line).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "mte-uapi.h"

#define HOLD_PAGES 32
#define PAGE 4096
#define GRANULE 16
#define GRANULES (HOLD_PAGES * PAGE / GRANULE)
#define DATA_MAGIC 0x5a5a5a5a00000000UL

static unsigned char *buf;
static sigjmp_buf on_fault;
static volatile int fault_sig, fault_code;

/** A tag check fault (or any other SIGSEGV/SIGBUS) during the checked loads: note it and go back to the loop. */
static void on_signal(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  fault_sig = sig;
  fault_code = si->si_code;
  siglongjmp(on_fault, 1);
}

/** `p` with allocation tag `tag` in bits [59:56]. */
static void *with_tag(void *p, unsigned tag) {
  return (void *)(((uintptr_t)p & ~(0xfUL << 56)) | ((uintptr_t)(tag & 0xf) << 56));
}

/** The allocation tag of the granule at `p`, read with LDG. */
static unsigned ldg(void *p) {
  void *t = p;
  __asm__ volatile("ldg %0, [%0]" : "+r"(t));
  return (unsigned)((uintptr_t)t >> 56) & 0xf;
}

static void tag_buffer(void) {
  for (unsigned g = 0; g < GRANULES; g++) {
    unsigned char *t = with_tag(buf + g * GRANULE, g);
    __asm__ volatile("stg %0, [%0]" : : "r"(t) : "memory");
    *(volatile uint64_t *)t = g ^ DATA_MAGIC;
  }
}

/** One granule's guest-physical page frame (root reads PFNs from pagemap), or 0 when it cannot be read. */
static uint64_t pfn_of(int pagemap, void *p) {
  uint64_t e;
  if (pread(pagemap, &e, sizeof e, ((uintptr_t)p / PAGE) * sizeof e) != sizeof e) return 0;
  return (e >> 63) ? (e & ((1UL << 55) - 1)) : 0;
}

static void check_and_report(void) {
  /* Volatile: changed between sigsetjmp and the siglongjmp of a fault, after which only volatile locals are known. */
  unsigned ldg_ok = 0;
  volatile unsigned loads_ok = 0, data_ok = 0, g = 0;
  for (unsigned i = 0; i < GRANULES; i++) ldg_ok += ldg(buf + i * GRANULE) == (i & 0xf);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  if (sigsetjmp(on_fault, 1) == 0) {
    for (; g < GRANULES; g++) {
      uint64_t v = *(volatile uint64_t *)with_tag(buf + g * GRANULE, g);
      loads_ok++;
      data_ok += v == (g ^ DATA_MAGIC);
    }
  }
  char fault[64];
  if (fault_sig == 0) snprintf(fault, sizeof fault, "none");
  else if (fault_sig == SIGSEGV && fault_code == SEGV_MTESERR_CODE) snprintf(fault, sizeof fault, "SIGSEGV/SEGV_MTESERR@%u", g);
  else snprintf(fault, sizeof fault, "%s/code%d@%u", fault_sig == SIGSEGV ? "SIGSEGV" : "SIGBUS", fault_code, g);
  printf("mte-hold: report ldg=%u/%u loads=%u/%u data=%u/%u fault=%s\n", ldg_ok, GRANULES, loads_ok, GRANULES, data_ok,
         GRANULES, fault);
  fflush(stdout);
}

/** A big-endian 32-bit cell of a device tree property file, or -1. */
static long dt_cell(const char *dir, const char *prop, int index) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, prop);
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  unsigned char b[16];
  size_t n = fread(b, 1, sizeof b, f);
  fclose(f);
  if (n < (size_t)(index + 1) * 4) return -1;
  const unsigned char *c = b + index * 4;
  return ((long)c[0] << 24) | ((long)c[1] << 16) | ((long)c[2] << 8) | c[3];
}

/** The framebuffer test: what the device tree offers, what mmap of /dev/mem gives, whether pixels stick. */
static void framebuffer(void) {
  char dir[300] = "";
  DIR *d = opendir("/proc/device-tree/chosen");
  struct dirent *e;
  while (d && (e = readdir(d)) != 0) {
    if (strncmp(e->d_name, "framebuffer@", 12) == 0) snprintf(dir, sizeof dir, "/proc/device-tree/chosen/%s", e->d_name);
  }
  if (d) closedir(d);
  if (dir[0] == 0) {
    printf("mte-hold: fb none (no simple-framebuffer in the device tree)\n");
    return;
  }
  /* reg: two address cells and two size cells (the root's #address-cells and #size-cells on virt). */
  unsigned long base = ((unsigned long)dt_cell(dir, "reg", 0) << 32) | (unsigned long)dt_cell(dir, "reg", 1);
  unsigned long size = ((unsigned long)dt_cell(dir, "reg", 2) << 32) | (unsigned long)dt_cell(dir, "reg", 3);
  long width = dt_cell(dir, "width", 0), height = dt_cell(dir, "height", 0), stride = dt_cell(dir, "stride", 0);
  if (width <= 0 || height <= 0 || stride < width * 4 || size < (unsigned long)(stride * height)) {
    printf("mte-hold: fb error (bad device tree node %s)\n", dir);
    return;
  }
  int fd = open("/dev/mem", O_RDWR | O_SYNC);
  if (fd < 0) {
    printf("mte-hold: fb error (open /dev/mem: %s)\n", strerror(errno));
    return;
  }
  void *m = mmap(0, size, PROT_READ | PROT_WRITE | PROT_MTE, MAP_SHARED, fd, (off_t)base);
  const char *prot_mte = "ok";
  if (m == MAP_FAILED) prot_mte = errno == EINVAL ? "EINVAL" : errno == EPERM ? "EPERM" : strerror(errno);
  else munmap(m, size);
  m = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
  if (m == MAP_FAILED) {
    printf("mte-hold: fb base=0x%lx %ldx%ld prot_mte=%s error (mmap: %s)\n", base, width, height, prot_mte, strerror(errno));
    close(fd);
    return;
  }
  /* Pixel (x, y) = 0xff000000 | y << 8 | x (opaque, green = row, blue = column), 32-bit accesses only (Device memory). */
  long right = 0;
  for (long y = 0; y < height; y++) {
    for (long x = 0; x < width; x++) *(volatile uint32_t *)((char *)m + y * stride + x * 4) = 0xff000000u | (uint32_t)(y << 8) | (uint32_t)x;
  }
  for (long y = 0; y < height; y++) {
    for (long x = 0; x < width; x++) right += *(volatile uint32_t *)((char *)m + y * stride + x * 4) == (0xff000000u | (uint32_t)(y << 8) | (uint32_t)x);
  }
  printf("mte-hold: fb base=0x%lx %ldx%ld prot_mte=%s pixels=%ld/%ld\n", base, width, height, prot_mte, right, width * height);
  munmap(m, size);
  close(fd);
}

int main(void) {
  if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0)) {
    printf("mte-hold: error (prctl: %s)\n", strerror(errno));
    return 1;
  }
  buf = mmap(0, HOLD_PAGES * PAGE, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (buf == MAP_FAILED) {
    printf("mte-hold: error (mmap PROT_MTE: %s)\n", strerror(errno));
    return 1;
  }
  tag_buffer();
  int pagemap = open("/proc/self/pagemap", O_RDONLY);
  if (pagemap < 0) {
    printf("mte-hold: error (open pagemap: %s)\n", strerror(errno));
    return 1;
  }
  printf("mte-hold: ready pages=%d granules=%d pfns=", HOLD_PAGES, GRANULES);
  for (int p = 0; p < HOLD_PAGES; p++) printf("%s%lx", p ? "," : "", (unsigned long)pfn_of(pagemap, buf + p * PAGE));
  printf("\n");
  fflush(stdout);
  close(pagemap);
  char line[64];
  if (!fgets(line, sizeof line, stdin)) {
    printf("mte-hold: error (no event line on stdin)\n");
    return 1;
  }
  if (strncmp(line, "fb", 2) == 0) {
    framebuffer();
    fflush(stdout);
  } else if (strncmp(line, "check", 5) != 0) {
    printf("mte-hold: error (unknown event line: %s)\n", line);
    return 1;
  }
  check_and_report();
  return 0;
}
