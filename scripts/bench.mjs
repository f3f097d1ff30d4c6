#!/usr/bin/env node
// `pnpm bench`: the performance benchmark (not a test). Runs every guests/bin/bench-*.elf on vmm-lite in this
// process (the built packages: `pnpm bench` builds first) and, when qemu-system-aarch64 is installed, on QEMU with
// the oracle's command line; checks that both printed the same output (and guests/expected/<name>.txt when it
// exists); prints a table and writes the figures as JSON.
//
//   node scripts/bench.mjs [--runs N] [--json PATH] [--no-qemu] [--qemu-count] [NAME...]
//
//   --runs N      runs per guest and per emulator (default 3); times are medians
//   --json PATH   where to write the results (default bench-results.json at the repository root)
//   --no-qemu     vmm-lite only
//   --no-cli      without the vmm-lite CLI runs (in-process runs only)
//   --qemu-count  also run each guest once more on QEMU, untimed, with a TCG plugin that counts the instructions
//                 and blocks QEMU executed and translated (scripts/qemu-count/count.c, built with `cc`): shows that
//                 both ran the same guest work, and QEMU's translations beside vmm-lite's blocks
//   NAME...       only these guests (e.g. bench-int; linux-selftests runs only when named)
//
// Times:
//   - vmm-lite: the wall time of one in-process runVirt() call (machine creation, loading and the run). The first
//     run of each guest warms up the JIT; the median of --runs hides it when runs >= 3. This is the engine's
//     steady state: V8 has compiled and optimised vmm-lite's own JavaScript in earlier runs of the process.
//   - vmm-lite CLI: the wall time of a whole `vmm-lite run` process (Node's start, relaunch with the V8 pool, imports,
//     V8 warming up on vmm-lite's JavaScript, loading, the run and exit), timed as QEMU is: what a user waits for.
//     Its ratio to QEMU is the one to hold against "QEMU's wall time".
//   - V8's worker pool: this process runs again with `--v8-pool-size` when vmm-lite's CLI would (v8-pool.ts: on a
//     host with 2 to 4 CPUs), so that the in-process runs measure what `vmm-lite run` does; the pool is printed.
//   - QEMU: whole-process wall time (start-up, loading, the run and exit). QEMU's start-up cost is measured with
//     the hello guest (which runs a few hundred instructions) and reported; "QEMU net" is the median minus it, and
//     the table gives the ratio vmm-lite / QEMU against both, so a short guest does not flatter vmm-lite.
//
// Adding a guest: put guests/src/bench-<what>.S or .c in guests/src (built by scripts/build-guests.mjs into
// guests/bin/bench-<what>.elf like every guest; the oracle test skips bench-* guests unless KVM_MTE_ORACLE_BENCH=1), and, if it needs a
// description or special vmm-lite options, an entry in GUEST_INFO below. A guest runs a fixed amount of work,
// prints a deterministic checksum and powers off with PSCI SYSTEM_OFF.
//
// MTE: bench-mte-sync and bench-mte-none are one source (guests/src/bench-mte.h) built with TCF = 1 and TCF = 0, so
// the table shows the cost of synchronous tag checks (sync / none) on vmm-lite next to QEMU's.
//
// Tuned and untuned guests (issue 11): bench-int, bench-mem, bench-exc and bench-mte-* are the guests vmm-lite's
// translator was tuned on ("tuned: yes" in GUEST_INFO and in the table). The others (bench-sieve-hash, bench-lz,
// bench-hashtable, bench-interp, bench-string, bench-recursive, bench-osboot: GCC -O2 C, see guests/README.md) were
// written afterwards as a measuring stick and nothing was tuned for them. A guest without a GUEST_INFO entry counts
// as untuned.
//
// JIT columns (vmm-lite, from the VM's CodeCache.stats() and its WebAssembly tier's stats() after each run; medians
// over the runs, each run a fresh machine and so a fresh code cache): "blocks" = blocks built (handler blocks: a
// block's decoded handlers), "JIT ms" = time building them (decoding, timed around each block build), "wasm" =
// blocks compiled to WebAssembly, "wasm ms" = time emitting and compiling their modules (synchronous
// WebAssembly.Module; V8's background tier-up is not in it), "wasm KiB" = bytes of WebAssembly emitted, "code KiB" =
// the cache's estimated bytes of translated code at the end of the run (CodeCacheStats.bytes, WebAssembly included).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCountPlugin, parseCounts } from './qemu-count/count.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'guests', 'bin');
const EXPECTED = join(ROOT, 'guests', 'expected');
const QEMU = process.env.GUEST_QEMU ?? 'qemu-system-aarch64';
/**
 * CPU tuning from the environment: KVM_MTE_JIT=0 measures the interpreter, KVM_MTE_WASM=0 handler blocks only (no
 * WebAssembly: what a host without it runs). The engine is printed and written to the JSON.
 */
const CPU_TUNING = { translate: process.env.KVM_MTE_JIT !== '0', wasm: process.env.KVM_MTE_WASM !== '0' };
const ENGINE = !CPU_TUNING.translate ? 'interpreter (KVM_MTE_JIT=0)'
  : CPU_TUNING.wasm ? 'handler blocks + WebAssembly tier' : 'handler blocks only (KVM_MTE_WASM=0)';
const QEMU_ARGS = ['-M', 'virt,mte=on', '-cpu', 'max', '-m', '256', '-nographic', '-nic', 'none', '-no-reboot'];
const RAM = 256 * 1024 * 1024;
/**
 * The Linux guest (scripts/linux-guest/build.sh) as benchmarks, when it is built: `linux-boot` boots it, runs the MTE
 * test and powers off; `linux-selftests` boots it and runs the kernel's arm64 MTE selftests (`kvm_mte.run=selftests`:
 * about 17 x 10^9 instructions, 95 s on QEMU 10), only when named on the command line because it is long. QEMU runs
 * the same Image, initrd and command line. Outputs are compared on user space's lines (the kernel's own carry
 * timestamps). `timeoutMs`: the limit of one run on QEMU and of one `vmm-lite run` process.
 */
const LINUX_GUESTS = {
  'linux-boot': { append: 'console=ttyAMA0 quiet', timeoutMs: 120_000, byDefault: true },
  'linux-selftests': { append: 'console=ttyAMA0 quiet kvm_mte.run=selftests', timeoutMs: 900_000, byDefault: false },
};
const LINUX_DIR = process.env.KVM_MTE_LINUX_DIR ?? join(ROOT, '.cache', 'linux-guest');
const LINUX_RAM = 512 * 1024 * 1024;
const CLI = join(ROOT, 'packages', 'vmm-lite', 'dist', 'cli.js');
const haveLinux = () => existsSync(join(LINUX_DIR, 'Image')) && existsSync(join(LINUX_DIR, 'initrd.gz'));
/** What user space printed (the lines that do not start with the kernel's '['), for comparing the two sides. */
const userLines = (serial) => serial.replace(/\r/g, '').split('\n').filter((l) => !l.startsWith('[') && l.trim() !== '').join('\n');

/** Descriptions and per-guest vmm-lite options (runVirt options beyond the oracle's machine). */
const GUEST_INFO = {
  'bench-int': { tuned: true, what: 'sieve of Eratosthenes + FNV-1a/xorshift64 hash loops (MMU on)' },
  'bench-mem': { tuned: true, what: 'load/add/store over a 4 MiB buffer, 320 passes (MMU on, 2 MiB blocks)' },
  'bench-exc': { tuned: true, what: '1,000,000 SVC round trips to an EL1 handler' },
  'bench-mte-sync': { tuned: true, what: 'the bench-mem loop (128 passes) over Tagged Normal memory through a tagged pointer, synchronous tag checks (TCF = 1)' },
  'bench-mte-none': { tuned: true, what: 'the same loop and tagged memory, tag checks off (TCF = 0)' },
  'bench-sieve-hash': { tuned: false, what: 'GCC -O2: byte-array sieve + multiply/rotate hash (LDRB/STRB register offset, MUL, EXTR/ROR, CSEL)' },
  'bench-lz': { tuned: false, what: 'GCC -O2: LZ77 compressor + decompressor round trips over 128 KiB of generated text' },
  'bench-hashtable': { tuned: false, what: 'GCC -O2: chained hash table, insert/lookup/delete, linked-list walk (pointer chasing)' },
  'bench-interp': { tuned: false, what: 'GCC -O2: bytecode interpreter, switch dispatch (prime count + hash program)' },
  'bench-string': { tuned: false, what: 'GCC -O2: memcpy/memset/strlen/strcmp in C, sizes 0..300, alignments 0..7' },
  'bench-recursive': { tuned: false, what: 'GCC -O2: Ackermann, naive fib(34), recursive tree build/sum, quicksort' },
  'bench-osboot': { tuned: false, what: 'GCC -O2, OS-boot-like: 1 MiB of generated code run 3 times, patching + IC IVAU, SVCs, page faults, sysregs' },
  'bench-fp-matmul': { tuned: false, what: 'GCC -O2 FP/SIMD: 96x96 double matrix multiply (FMLA .2D, LD1R), normalized by FDIV, 72 rounds' },
  'bench-fp-fft': { tuned: false, what: 'GCC -O2 FP: 4096-point complex double radix-2 FFT and inverse, own sin/cos, 200 rounds' },
  'bench-neon-string': { tuned: false, what: 'AdvSIMD memcpy/memset/strlen in assembly (LD1/ST1, LDP/STP Q, CMEQ, UMAXV, SHRN), sizes 0..300, alignments 0..15' },
  'bench-aes-ctr': { tuned: false, what: 'AES-128-CTR with AESE/AESMC (FIPS-197 C.1 checked), 64 KiB x 1920' },
  'bench-bignum': { tuned: false, what: 'GCC -O2: 2048-bit Montgomery modular exponentiation on 64-bit limbs multiplied through 32-bit halves (the shape of half the Linux boot\'s instructions), two reductions checked against each other' },
  'linux-boot': { tuned: false, what: 'Debian arm64 kernel 6.1 + busybox initramfs: boot, MTE test program, power-off (scripts/linux-guest, 512 MiB)' },
  'linux-selftests': { tuned: false, what: 'the same kernel: boot, the kernel\'s arm64 MTE selftests (tools/testing/selftests/arm64/mte), power-off (512 MiB; only when named)' },
};

function parseArgs(argv) {
  const o = { runs: 3, json: join(ROOT, 'bench-results.json'), qemu: true, cli: true, qemuCount: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--json') o.json = resolve(argv[++i]);
    else if (a === '--no-qemu') o.qemu = false;
    else if (a === '--no-cli') o.cli = false;
    else if (a === '--qemu-count') o.qemuCount = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.only.push(a);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer');
  if (o.qemuCount && !o.qemu) throw new Error('--qemu-count counts on QEMU: not with --no-qemu');
  return o;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const text = (b) => Buffer.from(b).toString('latin1');

function qemuVersion() {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return /version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** QEMU's counts of a guest, from a run with the counting plugin (untimed; scripts/qemu-count/count.mjs). */
function countOnQemu(elf, plugin) {
  const r = runQemuTimed(elf, ['-plugin', plugin]);
  const counts = parseCounts(r.stderr);
  if (!counts) throw new Error(`--qemu-count: QEMU printed no counts for ${elf} (plugin not loaded?): ${r.stderr.split('\n')[0]}`);
  return counts;
}

/** Runs a guest ELF, or the Linux guest named `elf` (a key of LINUX_GUESTS), on QEMU; timed. `more`: extra arguments. */
function runQemuTimed(elf, more = []) {
  const linux = LINUX_GUESTS[elf];
  const args = linux
    ? ['-M', 'virt,mte=on', '-cpu', 'max', '-m', String(LINUX_RAM >> 20), '-nographic', '-nic', 'none', '-no-reboot',
      '-kernel', join(LINUX_DIR, 'Image'), '-initrd', join(LINUX_DIR, 'initrd.gz'), '-append', linux.append]
    : [...QEMU_ARGS, '-kernel', elf];
  return spawnTimed(`QEMU on ${elf}`, QEMU, [...args, ...more], linux?.timeoutMs);
}

/**
 * Runs `file` with `args` as a timed process (stdin closed, output captured, `timeoutMs` or 120 s at most): its wall
 * time, stdout and stderr; throws unless it exits 0 (`what` names it).
 */
function spawnTimed(what, file, args, timeoutMs = 120_000) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 16 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${what} exited ${r.status} (${r.signal ?? ''}): ${text(r.stderr)}`);
  return { seconds, serial: text(r.stdout), stderr: text(r.stderr) };
}

/** One run on a fresh VirtMachine (what runVirt does without input), timed; with the code cache's figures after it. */
async function runVmmTimed(VirtMachine, kernel, extra) {
  const t0 = process.hrtime.bigint();
  const linux = typeof kernel === 'string' ? LINUX_GUESTS[kernel] : undefined;
  const m = new VirtMachine({ memory: linux ? LINUX_RAM : RAM, mte: true, ...CPU_TUNING, ...extra });
  if (linux) {
    m.load({ kernel: new Uint8Array(readFileSync(join(LINUX_DIR, 'Image'))), initrd: new Uint8Array(readFileSync(join(LINUX_DIR, 'initrd.gz'))), append: linux.append });
  } else {
    m.load({ kernel });
  }
  const r = await m.run({});
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.outcome !== 'shutdown') throw new Error(`vmm-lite outcome ${r.outcome}: ${r.message ?? ''}`);
  const jit = m.vm.codeCache.stats();
  const w = m.vm.codeCache.wasmTier(m.vm.kvm.phys.arena)?.stats();
  return {
    seconds, serial: text(r.serial), instructions: r.instructions, jitBlocks: jit.built, jitMs: jit.compileMs, codeBytes: jit.bytes,
    wasmBlocks: w?.blocks ?? 0, wasmMs: w?.compileMs ?? 0, wasmBytes: w?.bytes ?? 0,
  };
}

/**
 * One whole `vmm-lite run` process (the built CLI, started as a user starts it: no Node flags, stdin not a terminal),
 * timed as runQemuTimed times QEMU. `elf`: a guest ELF, or the Linux guest named so (a key of LINUX_GUESTS).
 */
function runCliTimed(elf) {
  const linux = LINUX_GUESTS[elf];
  const args = linux
    ? ['--kernel', join(LINUX_DIR, 'Image'), '--initrd', join(LINUX_DIR, 'initrd.gz'), '--append', linux.append,
      '--memory', `${LINUX_RAM >> 20}M`]
    : ['--kernel', elf, '--memory', `${RAM >> 20}M`];
  return spawnTimed(`vmm-lite run on ${elf}`, process.execPath, [CLI, 'run', ...args], linux?.timeoutMs);
}

/** Prints a Markdown table: the first column left-aligned, the others right-aligned. */
function printTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const row of rows) console.log(line(row));
}

const fmt = (x, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));

/**
 * V8's worker pool as the vmm-lite CLI sizes it (vmm-lite v8-pool.ts: every CPU but the vCPU thread's, at most
 * Node's 4; KVM_MTE_V8_POOL_SIZE overrides): when that differs from what this process has, this script runs again
 * with `--v8-pool-size`, so that the in-process runs measure what `vmm-lite run` does. Returns the pool size.
 */
function matchCliPool({ planV8Pool, currentV8PoolSize, V8_POOL_ENV }) {
  const plan = planV8Pool({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, cpus: availableParallelism(), setting: process.env[V8_POOL_ENV] });
  if (plan.relaunch) {
    const r = spawnSync(process.execPath, [...process.execArgv, `--v8-pool-size=${plan.size}`, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  return currentV8PoolSize(process.execArgv, process.env.NODE_OPTIONS);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dist = join(ROOT, 'packages', 'vmm-lite', 'dist', 'index.js');
  if (!existsSync(dist)) throw new Error('packages/vmm-lite/dist is missing: run `pnpm build` (or `pnpm bench`, which builds)');
  const vmmLite = await import(pathToFileURL(dist).href);
  const { VirtMachine } = vmmLite;
  const v8Pool = matchCliPool(vmmLite);
  const loadBefore = loadavg()[0];
  let names = readdirSync(BIN).filter((f) => /^bench-.*\.elf$/.test(f)).map((f) => basename(f, '.elf')).sort();
  if (opts.only.length) {
    for (const n of opts.only) {
      if (LINUX_GUESTS[n] ? !haveLinux() : !names.includes(n)) throw new Error(LINUX_GUESTS[n] ? `no Linux guest in ${LINUX_DIR}` : `no guests/bin/${n}.elf`);
    }
    names = opts.only;
  } else if (haveLinux()) {
    names.push(...Object.keys(LINUX_GUESTS).filter((n) => LINUX_GUESTS[n].byDefault));
  } else {
    console.error(`no Linux guest in ${LINUX_DIR} (scripts/linux-guest/build.sh): ${Object.keys(LINUX_GUESTS).join(', ')} not run`);
  }
  const qv = opts.qemu ? qemuVersion() : null;
  if (opts.qemu && !qv) console.error(`${QEMU} not found: vmm-lite only`);
  if (opts.qemuCount && !qv) throw new Error(`--qemu-count: ${QEMU} not found`);
  const countPlugin = opts.qemuCount ? buildCountPlugin() : undefined;

  const hello = join(BIN, 'hello.elf');
  let qemuStartup = null;
  if (qv) qemuStartup = median(Array.from({ length: Math.max(3, opts.runs) }, () => runQemuTimed(hello).seconds));
  // vmm-lite's fixed cost per run (machine with 256 MiB of RAM, device tree, load, a few hundred instructions).
  const helloKernel = new Uint8Array(readFileSync(hello));
  const vmmStartups = [];
  for (let i = 0; i < Math.max(3, opts.runs); i++) vmmStartups.push((await runVmmTimed(VirtMachine, helloKernel, {})).seconds);
  const vmmStartup = median(vmmStartups);

  const results = [];
  let failed = false;
  for (const name of names) {
    const linux = LINUX_GUESTS[name] !== undefined;
    const elf = linux ? name : join(BIN, `${name}.elf`);
    const kernel = linux ? name : new Uint8Array(readFileSync(elf));
    const extra = GUEST_INFO[name]?.vmm ?? {};
    const vmmRuns = [];
    for (let i = 0; i < opts.runs; i++) vmmRuns.push(await runVmmTimed(VirtMachine, kernel, extra));
    const vmmSeconds = median(vmmRuns.map((r) => r.seconds));
    const instructions = vmmRuns[0].instructions;
    const serial = vmmRuns[0].serial;
    const problems = [];
    // (The Linux guest's instruction count and kernel log vary with host time: its timer runs on the host's clock.)
    if (linux ? vmmRuns.some((r) => userLines(r.serial) !== userLines(serial))
      : vmmRuns.some((r) => r.serial !== serial || r.instructions !== instructions)) problems.push('vmm-lite runs differ');
    const same = (out) => (linux ? userLines(out) === userLines(serial) : out === serial);
    let cliSeconds = null;
    let cliRuns = [];
    if (opts.cli) {
      cliRuns = Array.from({ length: opts.runs }, () => runCliTimed(elf));
      cliSeconds = median(cliRuns.map((x) => x.seconds));
      if (cliRuns.some((x) => !same(x.serial))) problems.push('the vmm-lite CLI printed something else than the in-process runs');
    }
    const expPath = join(EXPECTED, `${name}.txt`);
    if (existsSync(expPath) && text(readFileSync(expPath)) !== serial) problems.push(`vmm-lite output differs from guests/expected/${name}.txt`);
    let qemuSeconds = null;
    if (qv) {
      const qRuns = Array.from({ length: opts.runs }, () => runQemuTimed(elf));
      qemuSeconds = median(qRuns.map((r) => r.seconds));
      if (qRuns.some((r) => !same(r.serial))) problems.push('QEMU printed something else than vmm-lite');
    }
    const counted = countPlugin ? countOnQemu(elf, countPlugin) : null;
    const checksum = /checksum=([0-9a-f]+)/.exec(serial)?.[1] ?? null;
    const qemuNet = qemuSeconds === null ? null : Math.max(qemuSeconds - qemuStartup, 1e-3);
    const r = {
      guest: name,
      tuned: GUEST_INFO[name]?.tuned ?? false,
      what: GUEST_INFO[name]?.what ?? '',
      checksum,
      instructions,
      vmmSeconds,
      vmmMips: instructions / vmmSeconds / 1e6,
      vmmRuns: vmmRuns.map((x) => x.seconds),
      qemuSeconds,
      qemuNetSeconds: qemuNet,
      qemuNetMips: qemuNet === null ? null : instructions / qemuNet / 1e6,
      ratio: qemuSeconds === null ? null : vmmSeconds / qemuSeconds,
      ratioNet: qemuNet === null ? null : (vmmSeconds - vmmStartup) / qemuNet,
      cliSeconds,
      cliRuns: cliRuns.map((x) => x.seconds),
      ratioCli: qemuSeconds === null || cliSeconds === null ? null : cliSeconds / qemuSeconds,
      jitBlocks: median(vmmRuns.map((x) => x.jitBlocks)),
      jitMs: median(vmmRuns.map((x) => x.jitMs)),
      codeBytes: median(vmmRuns.map((x) => x.codeBytes)),
      wasmBlocks: median(vmmRuns.map((x) => x.wasmBlocks)),
      wasmMs: median(vmmRuns.map((x) => x.wasmMs)),
      wasmBytes: median(vmmRuns.map((x) => x.wasmBytes)),
      qemuInstructions: counted?.instructions ?? null,
      qemuTbExecutions: counted?.tbExecutions ?? null,
      qemuTranslations: counted?.translations ?? null,
      sameOutput: problems.length === 0,
      problems,
    };
    if (problems.length) failed = true;
    results.push(r);
    console.error(`${name}: ${instructions} instructions, vmm-lite ${fmt(vmmSeconds, 3)} s${cliSeconds === null ? '' : `, CLI ${fmt(cliSeconds, 3)} s`}${qemuSeconds === null ? '' : `, QEMU ${fmt(qemuSeconds, 3)} s`}${problems.length ? `  PROBLEM: ${problems.join('; ')}` : ''}`);
  }

  const head = ['guest', 'tuned', 'instructions', 'vmm-lite s', 'MIPS', 'CLI s', 'QEMU s', 'QEMU net s', 'ratio', 'ratio net', 'ratio CLI', 'blocks', 'JIT ms', 'wasm', 'wasm ms', 'wasm KiB', 'code KiB', 'same output'];
  const rows = results.map((r) => [
    r.guest, r.tuned ? 'yes' : 'no', String(r.instructions), fmt(r.vmmSeconds, 3), fmt(r.vmmMips, 1), fmt(r.cliSeconds, 3),
    fmt(r.qemuSeconds, 3), fmt(r.qemuNetSeconds, 3), r.ratio === null ? '-' : `${fmt(r.ratio, 1)}x`,
    r.ratioNet === null ? '-' : `${fmt(r.ratioNet, 1)}x`, r.ratioCli === null ? '-' : `${fmt(r.ratioCli, 1)}x`,
    String(r.jitBlocks), fmt(r.jitMs, 0), String(r.wasmBlocks), fmt(r.wasmMs, 0), fmt(r.wasmBytes / 1024, 0),
    fmt(r.codeBytes / 1024, 0), r.sameOutput ? 'yes' : 'NO',
  ]);
  printTable(head, rows);
  if (countPlugin) {
    const cHead = ['guest', 'instructions', 'QEMU counted', 'difference', 'QEMU translations', 'vmm-lite blocks', 'QEMU block runs'];
    const cRows = results.map((r) => [r.guest, String(r.instructions), String(r.qemuInstructions),
      `${fmt(((r.qemuInstructions - r.instructions) / r.instructions) * 100, 3)}%`, String(r.qemuTranslations), String(r.jitBlocks),
      String(r.qemuTbExecutions)]);
    printTable(cHead, cRows);
    console.log('QEMU counted: instructions of the blocks QEMU started, with its TCG plugin (untimed run); a block left early counts whole, and QEMU\'s boot stub counts');
  }
  console.log(`vmm-lite start-up (hello, in-process): ${fmt(vmmStartup, 3)} s; QEMU ${qv ?? (opts.qemu ? 'not installed' : 'not run')} start-up (hello, whole process): ${fmt(qemuStartup, 3)} s`);
  const loadAfter = loadavg()[0];
  console.log(`load average (1 min) ${fmt(loadBefore, 2)} at the start, ${fmt(loadAfter, 2)} at the end, ${cpus().length} CPUs; V8 worker pool ${v8Pool} (as vmm-lite's CLI sizes it)`);
  console.log(`vmm-lite engine: ${ENGINE}; median of ${opts.runs} run(s); ratio = vmm-lite time (in-process, V8 warm) / QEMU time; ratio net = both minus their start-up; ratio CLI = a whole \`vmm-lite run\` process (V8 cold) / QEMU time`);
  console.log('tuned = a guest vmm-lite was tuned on (no: written for issue 11 as a measuring stick); blocks, JIT ms = vmm-lite blocks built, time building them; wasm, wasm ms, wasm KiB = blocks compiled to WebAssembly, time, bytes emitted; code KiB = translated code held at the end');

  const out = {
    date: new Date().toISOString(),
    node: process.version,
    engine: ENGINE,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    v8PoolSize: v8Pool,
    loadAverage: { start: loadBefore, end: loadAfter },
    qemu: qv,
    runs: opts.runs,
    qemuStartupSeconds: qemuStartup,
    vmmStartupSeconds: vmmStartup,
    results,
  };
  writeFileSync(opts.json, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${opts.json}`);
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
