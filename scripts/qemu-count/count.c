/*
 * A QEMU TCG plugin for `node scripts/bench.mjs --qemu-count`: counts the guest instructions QEMU executes, the
 * translation blocks it executes and the blocks it translates, and prints them to stderr when QEMU exits:
 *
 *   qemu-count: instructions N tb-executions M translations T
 *
 * so that the benchmark can show that QEMU and vmm-lite ran the same guest work (vmm-lite counts its instructions
 * itself), and how many blocks QEMU translated beside the blocks vmm-lite built. The run with the plugin is not
 * timed: a callback per executed block slows QEMU down.
 *
 * Built by the bench with `cc -shared -fPIC -O2`; no QEMU headers are needed: the few entry points of QEMU's plugin
 * API used here are declared below. The plugin asks for API version 2 (QEMU 8.2 and later accept it; QEMU 10 runs
 * versions 2 to 4).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t plugin_id;
struct plugin_tb;
/* What QEMU passes to qemu_plugin_install (only its existence matters here). */
struct plugin_info;

typedef void (*tb_translated_fn)(plugin_id id, struct plugin_tb *tb);
typedef void (*tb_executed_fn)(unsigned int vcpu, void *userdata);
typedef void (*at_exit_fn)(plugin_id id, void *userdata);

/* QEMU's plugin API (exported by the QEMU binary). The third argument of the execution callback's registration is
 * the flags enum: 0, the callback reads no CPU registers. */
extern void qemu_plugin_register_vcpu_tb_trans_cb(plugin_id id, tb_translated_fn cb);
extern void qemu_plugin_register_vcpu_tb_exec_cb(struct plugin_tb *tb, tb_executed_fn cb, int flags, void *userdata);
extern size_t qemu_plugin_tb_n_insns(const struct plugin_tb *tb);
extern void qemu_plugin_register_atexit_cb(plugin_id id, at_exit_fn cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 2;

static uint64_t instructions;
static uint64_t executions;
static uint64_t translations;

static void executed(unsigned int vcpu, void *userdata) {
  (void)vcpu;
  __atomic_fetch_add(&instructions, (uint64_t)(uintptr_t)userdata, __ATOMIC_RELAXED);
  __atomic_fetch_add(&executions, 1, __ATOMIC_RELAXED);
}

static void translated(plugin_id id, struct plugin_tb *tb) {
  (void)id;
  __atomic_fetch_add(&translations, 1, __ATOMIC_RELAXED);
  /* The block's instruction count rides in the callback's user data. */
  qemu_plugin_register_vcpu_tb_exec_cb(tb, executed, 0, (void *)(uintptr_t)qemu_plugin_tb_n_insns(tb));
}

static void at_exit(plugin_id id, void *userdata) {
  (void)id;
  (void)userdata;
  fprintf(stderr, "qemu-count: instructions %llu tb-executions %llu translations %llu\n",
          (unsigned long long)instructions, (unsigned long long)executions, (unsigned long long)translations);
}

__attribute__((visibility("default"))) int qemu_plugin_install(plugin_id id, const struct plugin_info *info,
                                                               int argc, char **argv) {
  (void)info;
  (void)argc;
  (void)argv;
  qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
