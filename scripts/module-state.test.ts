// No module-level mutable state in the packages (issue 11): caches, scratch buffers and options belong to a VM, a
// CPU or an MMU, so two VMs (or workers, or a browser page) in one process never share them. This scans every
// non-test source file of packages/*/src for module-level `let`/`var`, module-level `new Map/Set/WeakMap/WeakSet/
// Array/<TypedArray>/DataView`, and `process.env` outside the CLI; each finding must be in ALLOWED, with its reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** `file: name` → why the module-level object is not mutable state. Keep it short. */
const ALLOWED: Record<string, string> = {
  'packages/aarch64-cpu/src/insn/branches-exceptions-system-sys.ts: OPS': 'filled at import from constant rows, never changed',
  'packages/aarch64-cpu/src/sysregs.ts: byKey': 'encoding → register id, built from the constant SYSREG_DEFS, never changed',
  'packages/aarch64-cpu/src/wasm-jit/translate-branch.ts: BY_NAME': 'row name → branch specification, built at import from constant rows, never changed',
  'packages/aarch64-cpu/src/wasm-jit/translate-sys.ts: SYSTEM_TRANSLATIONS': 'row name → translator of a handler row, built at import from constant functions, never changed',
  'packages/aarch64-cpu/src/insn/branches-exceptions-system-sysreg.ts: COMPUTED_READS': 'the register ids readSysReg computes, a constant set, never changed',
  'packages/aarch64-cpu/src/insn/branches-exceptions-system-sysreg.ts: COMPUTED_WRITES': 'the register ids writeSysReg does more for than store, a constant set, never changed',
  'packages/aarch64-cpu/src/insn/branches-exceptions-system-sysreg.ts: WRITE_MASKS': 'register id → the bits MSR keeps, constant, never changed',
  'packages/aarch64-cpu/src/wasm/module-builder.ts: MAGIC_AND_VERSION': 'constant bytes, only copied',
  'packages/aarch64-cpu/src/debug.ts: DEBUG_CONTROL_REGS': 'the registers whose writes change whether debug is active, constant, never changed',
  'packages/aarch64-cpu/src/insn/branches-exceptions-system-sysreg.ts: DEBUG_VALUE_REGS': 'the breakpoint and watchpoint value registers (bits [1:0] RES0), constant, never changed',
  'packages/vmm-lite/src/snapshot.ts: COUNT_REGS': 'the timer count ONE_REG ids, constant, never changed',
  'packages/vmm-lite/src/snapshot.ts: OPTIONAL_REGS': 'the ONE_REG ids an older snapshot may lack, constant, never changed',
  'packages/vmm-lite/src/snapshot.ts: TIMER_REG_NAMES': 'timer ONE_REG id → name for messages, constant, never changed',
  'packages/kvm-core/src/vgic/cpu-interface-v2.ts: USER_OFFSETS': 'the GICC offsets user space saves, constant, never changed',
  'packages/kvm-core/src/vgic/cpu-interface-v3.ts: BY_ID': 'encoding → ICC register name, built at import from the constant table, never changed',
  'packages/kvm-core/src/vgic/cpu-interface-v3.ts: USER_REGS': 'the ICC registers user space saves, constant, never changed',
  'packages/mmu/src/mmu.ts: EMPTY': 'zero-length: holds nothing',
  'packages/mmu/src/mmu.ts: EMPTY_VIEW': 'a view of zero bytes: holds nothing',
  'packages/mmu/src/mmu.ts: NO_CODE': 'the live-code byte of TLB entries without RAM: only ever read (always 0)',
  'packages/kvm-core/src/vcpu.ts: MTE_REGS': 'constant set of register ids',
  'packages/kvm-core/src/vcpu.ts: NOT_SYSREG_STATE': 'constant set of register ids',
  'packages/kvm-core/src/vcpu.ts: PMU_REG_IDS': 'the PMU\'s ONE_REG ids, constant, never changed',
  'packages/vmm-lite/src/cli-options.ts: INSPECT_TAKES': 'constant set of option names',
  'packages/vmm-lite/src/output-file.ts: MID_WRITE': 'constant set of errno names',
  'packages/vmm-lite/src/framebuffer-png.ts: crcTable': 'the CRC-32 table, built on first use from constants, never changed',
  'packages/aarch64-cpu/src/insn/simd-int-common.ts: saturated': 'set by the saturating lane helpers and cleared by flushQc, which every saturating handler calls before it returns: false between instructions (the QEMU vectors, thousands in one process, would show a stale flag as a wrong FPSR.QC)',
  'packages/aarch64-cpu/src/insn/simd-int-common.ts: POW2': 'the powers of two 2^0..2^128, computed at import, never changed',
  'packages/aarch64-cpu/src/insn/simd-int-common.ts: mulHi': 'the second result of mul32/pmul32, read by their caller right after the call: holds nothing between calls',
  'packages/aarch64-cpu/src/insn/simd-two-misc.ts: POPCOUNT': 'bit counts of the 256 byte values, computed at import, never changed',
  'packages/aarch64-cpu/src/insn/simd-two-misc.ts: REVERSED': 'the 256 byte values bit-reversed, computed at import, never changed',
  'packages/aarch64-cpu/src/fp/lanes.ts: HALF_SCALE': 'the 32 powers of two that scale a half\'s significand, computed at import, never changed',
  'packages/aarch64-cpu/src/fp/vector-extra.ts: RSQRT9': 'RecipSqrtEstimate for every 9-bit input, computed at import, never changed',
  'packages/aarch64-cpu/src/fp/vector-extra.ts: F64': 'scratch to read a double\'s bits, written and read within one call: holds nothing between calls',
  'packages/aarch64-cpu/src/fp/vector-extra.ts: U32': 'the 32-bit view of F64 (same scratch)',
  'packages/kvm-core/src/vgic/its-registers.ts: GITS_IDREG_VALUES': 'the ITS identification registers\' constant values, never changed',
  'packages/vmm-lite/src/cli.ts: process.env': 'the CLI\'s launcher reads NODE_OPTIONS and KVM_MTE_V8_POOL_SIZE once, to size V8\'s worker pool',
  'packages/vmm-lite/src/cli-main.ts: process.env': 'the CLI is the one place that reads the environment (and drops the launcher\'s marker from it)',
};

const MUTABLE_CTORS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'ArrayBuffer', 'DataView', 'Uint8Array',
  'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array',
  'Float64Array', 'BigUint64Array', 'BigInt64Array']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** `new C(...)`, possibly behind parentheses, `as`, `!`, or a call chain on it (`new Array(n).fill(x)`). */
function newOf(e: ts.Expression): string | undefined {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) e = e.expression.expression;
    else break;
  }
  return ts.isNewExpression(e) && ts.isIdentifier(e.expression) ? e.expression.text : undefined;
}

/** The findings of one file: `name` of each offending declaration, or `process.env`. */
export function moduleState(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const mutableBinding = (st.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const;
    for (const d of st.declarationList.declarations) {
      const name = d.name.getText(sf);
      const ctor = d.initializer === undefined ? undefined : newOf(d.initializer);
      if (mutableBinding || (ctor !== undefined && MUTABLE_CTORS.has(ctor))) found.push(name);
    }
  }
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'env' && /\bprocess\b/.test(n.expression.getText(sf))) {
      found.push('process.env');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return [...new Set(found)];
}

describe('module-level state', () => {
  it('no package source holds module-level mutable state outside the explained allow-list', () => {
    const findings: string[] = [];
    for (const pkg of readdirSync(join(ROOT, 'packages'))) {
      const src = join(ROOT, 'packages', pkg, 'src');
      let files: string[];
      try {
        files = sourceFiles(src);
      } catch {
        continue;
      }
      for (const f of files) {
        const rel = relative(ROOT, f).split('\\').join('/');
        for (const name of moduleState(f, readFileSync(f, 'utf8'))) findings.push(`${rel}: ${name}`);
      }
    }
    expect(findings.filter((f) => !(f in ALLOWED))).toEqual([]);
    // Every allow-list entry still exists (a stale entry would hide a new finding of the same name).
    expect(Object.keys(ALLOWED).filter((k) => !findings.includes(k))).toEqual([]);
  });

  it('finds what it is meant to find', () => {
    const src = `let a = 1;\nconst b = new Map();\nconst c = new Array<number>(4).fill(0);\nconst d = [1];\n` +
      `const e = new Uint8Array(1)[0] === 1;\nfunction f() { let g = 0; const h = new Set(); return g; }\n` +
      `const i = (globalThis as any).process?.env;\nexport var j = 0;\n`;
    expect(moduleState('x.ts', src)).toEqual(['a', 'b', 'c', 'j', 'process.env']);
  });
});
