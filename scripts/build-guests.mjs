#!/usr/bin/env node
// Builds the bare-metal guest programs of guests/src into guests/bin/<name>.elf with the AArch64 cross toolchain,
// and records their expected serial output from QEMU 10.
//
//   node scripts/build-guests.mjs                 build every guest into guests/bin
//   node scripts/build-guests.mjs --out DIR       build into DIR instead (the reproducibility test uses this)
//   node scripts/build-guests.mjs --expect        run every guests/bin/*.elf on QEMU 10 and write guests/expected/<name>.txt
//   node scripts/build-guests.mjs --run NAME...   run guests/bin/NAME.elf on QEMU and show its serial output
//   node scripts/build-guests.mjs --only NAME...  build (or --expect) only these guests
//
// Each file guests/src/<name>.S or guests/src/<name>.c is one program; every file in guests/src/lib/ is linked into
// all of them, at 0x4008_0000 (guests/src/lib/link.ld). The build is reproducible: fixed flags, relative source
// paths, no build id, no .comment, and the link order sorted by name.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GUESTS = join(ROOT, 'guests');
const SRC = join(GUESTS, 'src');
const LIB = join(SRC, 'lib');

export const CC = process.env.GUEST_CC ?? 'aarch64-linux-gnu-gcc';
export const QEMU = process.env.GUEST_QEMU ?? 'qemu-system-aarch64';
export const QEMU_ARGS = ['-M', 'virt,mte=on', '-cpu', 'max', '-m', '256', '-nographic', '-nic', 'none', '-no-reboot'];

/** QEMU's command line for guest `name`: QEMU_ARGS, with the vCPUs and GIC version guests/machines.json asks for. */
export function qemuArgsFor(name) {
  const m = JSON.parse(readFileSync(join(GUESTS, 'machines.json'), 'utf8'))[name];
  if (m === undefined) return QEMU_ARGS;
  return [...QEMU_ARGS.map((a) => (a === 'virt,mte=on' ? `virt,mte=on,gic-version=${m.gicVersion}` : a)), '-smp', String(m.smp)];
}

const COMMON_FLAGS = [
  '-march=armv8.5-a+memtag+lse',
  '-mabi=lp64',
  '-mlittle-endian',
  '-mstrict-align',          // with the MMU off every data access is to Device memory: no unaligned accesses
  '-mgeneral-regs-only',     // the modelled CPU has no FP/SIMD
  '-mbranch-protection=none',
  '-mno-outline-atomics',
  '-fno-pie',
  '-fno-pic',
  '-ffreestanding',
  '-fno-builtin',
  '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables',
  '-fno-unwind-tables',
  '-fno-ident',
  '-fno-common',
  '-ffunction-sections',
  '-fdata-sections',
  '-nostdinc',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-I', 'lib',
];
const C_FLAGS = ['-std=gnu11', '-O1'];
// A C guest may ask for -O2 instead of -O1 with a line `// cflags: -O2` (the untuned benchmark guests: GCC -O2 code
// as a distribution kernel is built). Nothing else may be changed that way.
const O2_MARK = /^\/\/ cflags: -O2$/m;
// The FP/SIMD benchmark guests say `// cflags: -O2 +simd` instead: -O2 with FP/AdvSIMD and the crypto extensions
// allowed (no -mgeneral-regs-only; +crypto+sha3). They enable CPACR_EL1.FPEN themselves (start.S leaves it trapping).
const SIMD_MARK = /^\/\/ cflags: -O2 \+simd$/m;
const isSimdGuest = (file) => SIMD_MARK.test(readFileSync(join(SRC, file), 'utf8'));
const simdFlags = (flags) => flags.filter((f) => f !== '-mgeneral-regs-only').map((f) => (f.startsWith('-march=') ? `${f}+crypto+sha3` : f));
const cFlagsOf = (file) => (O2_MARK.test(readFileSync(join(SRC, file), 'utf8')) || isSimdGuest(file) ? ['-std=gnu11', '-O2'] : C_FLAGS);
const LINK_FLAGS = ['-nostdlib', '-static', '-no-pie', '-Wl,--gc-sections', '-Wl,--build-id=none', '-Wl,-T,lib/link.ld', '-Wl,--no-warn-rwx-segments', '-Wl,-z,max-page-size=4096', '-Wl,-z,noexecstack'];

const isSource = (f) => f.endsWith('.S') || f.endsWith('.c');

/** The guest programs: name → source file (relative to guests/src). */
export function listGuests() {
  return readdirSync(SRC)
    .filter(isSource)
    .sort()
    .map((f) => ({ name: f.replace(/\.(S|c)$/, ''), file: f }));
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: SRC, encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r;
}

export function toolchainVersion() {
  const r = spawnSync(CC, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim();
}

function versionOf(cmd) {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? '' : r.stdout.split('\n')[0].trim();
}

/** Builds the guests into outDir; returns the list of files written. */
export function buildGuests(outDir, only = null) {
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'guest-build-'));
  try {
    const compile = (file) => {
      const obj = join(tmp, file.replace(/[/.]/g, '_') + '.o');
      const flags = file.endsWith('.c') ? [...(isSimdGuest(file) ? simdFlags(COMMON_FLAGS) : COMMON_FLAGS), ...cFlagsOf(file)] : COMMON_FLAGS;
      run(CC, [...flags, '-c', file, '-o', obj]);
      return obj;
    };
    const libObjs = readdirSync(LIB).filter(isSource).sort().map((f) => compile(`lib/${f}`));
    const written = [];
    // The toolchain that made these bytes: the rebuild test compares byte for byte only with the same one.
    const tc = join(outDir, 'TOOLCHAIN');
    const binutil = (tool) => CC.replace(/gcc$/, tool);
    writeFileSync(tc, [toolchainVersion(), versionOf(binutil('as')), versionOf(binutil('ld'))].join('\n') + '\n');
    for (const { name, file } of listGuests()) {
      if (only && !only.includes(name)) continue;
      const obj = compile(file);
      const out = join(outDir, `${name}.elf`);
      run(CC, [...COMMON_FLAGS, ...LINK_FLAGS, obj, ...libObjs, '-o', out]);
      written.push(out);
    }
    return written;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The QEMU version as [major, minor, patch], or null when QEMU is not installed. */
export function qemuVersion() {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const m = /version (\d+)\.(\d+)\.(\d+)/.exec(r.stdout);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Runs one guest ELF on QEMU; resolves to { status, signal, timedOut, serial (Buffer), stderr }. */
export function runQemu(elf, timeoutMs = 20_000) {
  const r = spawnSync(QEMU, [...qemuArgsFor(basename(elf, '.elf')), '-kernel', elf], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error && r.error.code !== 'ETIMEDOUT') throw r.error;
  return {
    status: r.status,
    signal: r.signal,
    timedOut: r.error?.code === 'ETIMEDOUT',
    serial: r.stdout,
    stderr: r.stderr.toString('utf8'),
  };
}

function requireQemu10() {
  const v = qemuVersion();
  if (!v) throw new Error(`${QEMU} is not installed: the expected outputs come from QEMU 10 (see /work/shared/reference/oracle.md)`);
  if (v[0] !== 10) throw new Error(`${QEMU} is version ${v.join('.')}; the oracle must be QEMU 10.x (7.2 gets MTE tags wrong)`);
  return v;
}

function writeExpected(only) {
  const v = requireQemu10();
  const dir = join(GUESTS, 'expected');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(join(GUESTS, 'bin')).filter((f) => f.endsWith('.elf')).sort()) {
    const name = basename(f, '.elf');
    if (only && !only.includes(name)) continue;
    const r = runQemu(join(GUESTS, 'bin', f));
    if (r.timedOut || r.status !== 0) {
      throw new Error(`${name}: QEMU did not power off cleanly (exit ${r.status}, signal ${r.signal}${r.timedOut ? ', timed out' : ''})\n${r.serial.toString('latin1')}${r.stderr}`);
    }
    writeFileSync(join(dir, `${name}.txt`), r.serial);
    console.log(`expected/${name}.txt: ${r.serial.length} bytes from QEMU ${v.join('.')}`);
  }
}

function main(argv) {
  let out = join(GUESTS, 'bin');
  let mode = 'build';
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = resolve(argv[++i]);
    else if (a === '--expect') mode = 'expect';
    else if (a === '--run') mode = 'run';
    else if (a === '--only') mode = mode === 'build' ? 'build' : mode;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else names.push(a);
  }
  const only = names.length ? names : null;
  if (mode === 'build') {
    if (!toolchainVersion()) throw new Error(`${CC} not found: install gcc-aarch64-linux-gnu (see /work/shared/reference/oracle.md)`);
    for (const f of buildGuests(out, only)) console.log(`built ${f}`);
  } else if (mode === 'expect') {
    writeExpected(only);
  } else {
    for (const name of only ?? []) {
      const elf = existsSync(name) ? name : join(GUESTS, 'bin', `${name}.elf`);
      const r = runQemu(elf);
      process.stdout.write(r.serial);
      console.log(`[exit ${r.status}${r.signal ? ` signal ${r.signal}` : ''}${r.timedOut ? ' timed out' : ''}]`);
      if (r.stderr) console.log(r.stderr);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
