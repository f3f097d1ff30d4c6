/**
 * The function-body builder: typed helpers that write WebAssembly instructions straight into one reusable byte
 * buffer. Each helper checks what is cheap to check (label depths, local/global/function/type indices, lane indices,
 * alignment, immediate ranges, balanced blocks) and throws `WasmBuildError` naming the problem; it does not track the
 * operand stack, which `WebAssembly.validate`/`compile` still checks.
 *
 * Hot path: a JIT calls these once per emitted instruction, so they allocate nothing (no instruction objects, no
 * closures); fixed-size state lives in typed arrays that grow by doubling and are kept across functions. Helpers
 * return `this` so instructions can be chained.
 */

import { ByteBuffer } from './byte-buffer.js';
import {
  Bulk, Ctl, IS_MEM_OP, IS_MISC_OP, IS_OP, IS_SIMD_LANE_OP, IS_SIMD_MEM_LANE_OP, IS_SIMD_MEM_OP, IS_SIMD_OP,
  MEM_ALIGN_LOG2, Prefix, SIMD_LANES, SIMD_MEM_ALIGN_LOG2, SIMD_MEM_LANE_ALIGN_LOG2, SIMD_MEM_LANES,
  type MemOpcode, type MiscOpcode, type Opcode, type SimdLaneOpcode, type SimdMemLaneOpcode, type SimdMemOpcode,
  type SimdOpcode,
} from './opcodes.js';
import { isValType, VOID_BLOCK, WasmBuildError, type BlockType, type ValType } from './types.js';

/** What a function body needs to know about its module to check indices. `ModuleBuilder` implements it. */
export interface FunctionContext {
  /** Functions declared so far (imported and defined). */
  readonly functionCount: number;
  /** Signatures declared so far. */
  readonly typeCount: number;
  /** Globals declared so far (imported and defined). */
  readonly globalCount: number;
  /** Tables declared so far (0 or 1). */
  readonly tableCount: number;
  /** Whether the module has a memory (imported or defined). */
  readonly hasMemory: boolean;
  /** Whether global `index` (< globalCount) is mutable. */
  isGlobalMutable(index: number): boolean;
  /** The parameter types of signature `typeIndex` (< typeCount). */
  typeParams(typeIndex: number): readonly ValType[];
  /** The result types of signature `typeIndex` (< typeCount). */
  typeResults(typeIndex: number): readonly ValType[];
}

// Kinds of open control frames.
const K_BLOCK = 0;
const K_LOOP = 1;
const K_IF = 2; // an `if` whose `else` has not been seen
const K_ELSE = 3;
const KIND_NAMES = ['block', 'loop', 'if', 'else'];

/** Builds one function body at a time; reuse it for many functions (see `ModuleBuilder.beginFunction`). */
export class FunctionBuilder {
  /** The instruction bytes written so far (without the local declarations and the final `end`). */
  readonly body = new ByteBuffer(1024);
  /** The index of the function being built, in the module's function index space. */
  funcIndex = -1;
  /** The signature of the function being built. */
  typeIndex = -1;

  private paramCount = 0;
  private localCount = 0; // params + declared locals
  private localTypes: Uint8Array = new Uint8Array(64);
  private depth = 0; // open blocks (the function's own body not counted)
  private kinds: Uint8Array = new Uint8Array(32);
  private needsElse: Uint8Array = new Uint8Array(32); // 1 when the `if` at that depth has results it must produce on both arms
  private active = false;

  constructor(private readonly ctx: FunctionContext) {}

  /** Starts a new body for function `funcIndex` with signature `typeIndex`; forgets any previous state. */
  begin(funcIndex: number, typeIndex: number): void {
    const params = this.ctx.typeParams(typeIndex);
    this.funcIndex = funcIndex;
    this.typeIndex = typeIndex;
    this.body.reset();
    this.depth = 0;
    this.paramCount = 0;
    this.localCount = 0;
    for (const p of params) this.pushLocal(p);
    this.paramCount = params.length;
    this.active = true;
  }

  /** Whether a body is being built (between `begin` and `finishInto`). */
  get building(): boolean {
    return this.active;
  }

  /** The number of blocks, loops and ifs currently open. */
  get openBlocks(): number {
    return this.depth;
  }

  /** The number of locals including parameters (the next `addLocals` returns this index). */
  get locals(): number {
    return this.localCount;
  }

  /**
   * Writes the function's code entry (size, local declarations, body, final `end`) to `code`, and ends this body.
   * Consecutive locals of one type are declared as one group.
   */
  finishInto(code: ByteBuffer, scratch: ByteBuffer): void {
    this.assertActive();
    if (this.depth !== 0) {
      throw new WasmBuildError(`function ${this.funcIndex}: ${this.depth} block(s) still open at the end (innermost: ${KIND_NAMES[this.kinds[this.depth - 1]!]})`);
    }
    scratch.reset();
    let groups = 0;
    for (let i = this.paramCount; i < this.localCount; i++) if (i === this.paramCount || this.localTypes[i] !== this.localTypes[i - 1]) groups++;
    scratch.u32(groups);
    for (let i = this.paramCount; i < this.localCount;) {
      const t = this.localTypes[i]!;
      let j = i + 1;
      while (j < this.localCount && this.localTypes[j] === t) j++;
      scratch.u32(j - i);
      scratch.byte(t);
      i = j;
    }
    code.u32(scratch.length + this.body.length + 1);
    code.append(scratch.bytes, 0, scratch.length);
    code.append(this.body.bytes, 0, this.body.length);
    code.byte(Ctl.end);
    this.active = false;
  }

  /** Abandons the body being built, if any. */
  discard(): void {
    this.active = false;
    this.depth = 0;
    this.body.reset();
  }

  // ---- locals ----

  /** Declares `count` locals of type `type` and returns the index of the first. */
  addLocals(type: ValType, count = 1): number {
    this.assertActive();
    if (!isValType(type)) throw new WasmBuildError(`addLocals: 0x${Number(type).toString(16)} is not a value type`);
    if (!Number.isInteger(count) || count < 0) throw new WasmBuildError(`addLocals: count ${count} is not a non-negative integer`);
    const first = this.localCount;
    for (let i = 0; i < count; i++) this.pushLocal(type);
    return first;
  }

  /** The type of local `index` (parameters first). */
  localType(index: number): ValType {
    this.checkLocal(index, 'localType');
    return this.localTypes[index] as ValType;
  }

  localGet(index: number): this {
    this.checkLocal(index, 'local.get');
    return this.opU32(Ctl.local_get, index);
  }

  localSet(index: number): this {
    this.checkLocal(index, 'local.set');
    return this.opU32(Ctl.local_set, index);
  }

  localTee(index: number): this {
    this.checkLocal(index, 'local.tee');
    return this.opU32(Ctl.local_tee, index);
  }

  globalGet(index: number): this {
    this.checkGlobal(index, 'global.get');
    return this.opU32(Ctl.global_get, index);
  }

  globalSet(index: number): this {
    this.checkGlobal(index, 'global.set');
    if (!this.ctx.isGlobalMutable(index)) throw new WasmBuildError(`global.set ${index}: the global is immutable`);
    return this.opU32(Ctl.global_set, index);
  }

  // ---- control ----

  /** `block` with a block type: `VOID_BLOCK` (the default) or the one value type it leaves. */
  block(type: BlockType = VOID_BLOCK): this {
    return this.open(K_BLOCK, Ctl.block, type);
  }

  /** `loop`; a branch to it goes back to its start. */
  loop(type: BlockType = VOID_BLOCK): this {
    return this.open(K_LOOP, Ctl.loop, type);
  }

  /** `if` (pops an i32 condition). An `if` with a result must have an `else`. */
  if(type: BlockType = VOID_BLOCK): this {
    return this.open(K_IF, Ctl.if, type);
  }

  /** `block` whose type is signature `typeIndex` (multi-value: parameters and results). */
  blockWithType(typeIndex: number): this {
    return this.openWithType(K_BLOCK, Ctl.block, typeIndex);
  }

  /** `loop` whose type is signature `typeIndex`. */
  loopWithType(typeIndex: number): this {
    return this.openWithType(K_LOOP, Ctl.loop, typeIndex);
  }

  /** `if` whose type is signature `typeIndex`. */
  ifWithType(typeIndex: number): this {
    return this.openWithType(K_IF, Ctl.if, typeIndex);
  }

  /** `else` of the innermost open `if`. */
  else(): this {
    this.assertActive();
    if (this.depth === 0 || this.kinds[this.depth - 1] !== K_IF) {
      const what = this.depth === 0 ? 'no open block' : `the innermost block is ${KIND_NAMES[this.kinds[this.depth - 1]!]}`;
      throw new WasmBuildError(`else without a matching if (${what})`);
    }
    this.kinds[this.depth - 1] = K_ELSE;
    this.body.byte(Ctl.else);
    return this;
  }

  /** `end` of the innermost open block, loop or if (the function's own `end` is written by `finishInto`). */
  end(): this {
    this.assertActive();
    if (this.depth === 0) throw new WasmBuildError('end without a matching block, loop or if');
    const d = this.depth - 1;
    if (this.kinds[d] === K_IF && this.needsElse[d] === 1) {
      throw new WasmBuildError('end of an if that has a result but no else (both arms must produce it)');
    }
    this.depth = d;
    this.body.byte(Ctl.end);
    return this;
  }

  /** `br label`: 0 is the innermost open block; `openBlocks` is the function body itself. */
  br(label: number): this {
    this.checkLabel(label, 'br');
    return this.opU32(Ctl.br, label);
  }

  /** `br_if label` (pops an i32 condition). */
  brIf(label: number): this {
    this.checkLabel(label, 'br_if');
    return this.opU32(Ctl.br_if, label);
  }

  /** `br_table labels default` (pops an i32 index; out of range goes to `defaultLabel`). */
  brTable(labels: ArrayLike<number>, defaultLabel: number): this {
    for (let i = 0; i < labels.length; i++) this.checkLabel(labels[i]!, 'br_table');
    this.checkLabel(defaultLabel, 'br_table (default)');
    this.op1(Ctl.br_table);
    this.body.u32(labels.length);
    for (let i = 0; i < labels.length; i++) this.body.u32(labels[i]!);
    this.body.u32(defaultLabel);
    return this;
  }

  return(): this {
    return this.op1(Ctl.return);
  }

  unreachable(): this {
    return this.op1(Ctl.unreachable);
  }

  nop(): this {
    return this.op1(Ctl.nop);
  }

  drop(): this {
    return this.op(0x1a);
  }

  /** `select` on numeric operands (pops two values and an i32 condition). */
  select(): this {
    return this.op(0x1b);
  }

  /** `select t` (typed select; required for v128 and reference operands). */
  selectTyped(type: ValType): this {
    this.checkValType(type, 'select');
    this.op1(Ctl.select_t);
    this.body.byte(1);
    this.body.byte(type);
    return this;
  }

  /** `call funcIndex`. */
  call(funcIndex: number): this {
    this.checkFunc(funcIndex, 'call');
    return this.opU32(Ctl.call, funcIndex);
  }

  /** `call_indirect typeIndex tableIndex` (pops the i32 table slot). */
  callIndirect(typeIndex: number, tableIndex = 0): this {
    this.checkIndirect(typeIndex, tableIndex, 'call_indirect');
    this.opU32(Ctl.call_indirect, typeIndex);
    this.body.u32(tableIndex);
    return this;
  }

  /** `return_call funcIndex` (tail call; the callee's results must be this function's). */
  returnCall(funcIndex: number): this {
    this.checkFunc(funcIndex, 'return_call');
    return this.opU32(Ctl.return_call, funcIndex);
  }

  /** `return_call_indirect typeIndex tableIndex`. */
  returnCallIndirect(typeIndex: number, tableIndex = 0): this {
    this.checkIndirect(typeIndex, tableIndex, 'return_call_indirect');
    this.opU32(Ctl.return_call_indirect, typeIndex);
    this.body.u32(tableIndex);
    return this;
  }

  // ---- constants ----

  /** `i32.const`: an integer in [-2^31, 2^32-1]; values from 2^31 up are their two's-complement bit pattern. */
  i32Const(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
      throw new WasmBuildError(`i32.const ${value}: not an integer in [-2^31, 2^32-1]`);
    }
    this.op1(Ctl.i32_const);
    this.body.s32(value | 0);
    return this;
  }

  /**
   * `i64.const`: a safe-integer Number (no BigInt on this path) or a bigint in [-2^63, 2^64-1], values from 2^63 up
   * taken as their two's-complement bit pattern.
   */
  i64Const(value: number | bigint): this {
    this.op1(Ctl.i64_const);
    if (typeof value === 'number') this.body.s64Number(value);
    else this.body.s64BigInt(value);
    return this;
  }

  /** `i64.const` of the 64-bit pattern `hi:lo` (each half a 32-bit integer, signed or unsigned). */
  i64ConstParts(lo: number, hi: number): this {
    this.op1(Ctl.i64_const);
    this.body.s64Parts(lo, hi);
    return this;
  }

  /** `f32.const` of `value` rounded to single precision. */
  f32Const(value: number): this {
    this.op1(Ctl.f32_const);
    this.body.f32(value);
    return this;
  }

  /** `f32.const` with the exact bit pattern `bits` (keeps NaN payloads). */
  f32ConstBits(bits: number): this {
    this.op1(Ctl.f32_const);
    this.body.u32le(bits);
    return this;
  }

  /** `f64.const`. */
  f64Const(value: number): this {
    this.op1(Ctl.f64_const);
    this.body.f64(value);
    return this;
  }

  /** `f64.const` with the exact bit pattern `hi:lo` (keeps NaN payloads). */
  f64ConstBits(lo: number, hi: number): this {
    this.op1(Ctl.f64_const);
    this.body.u32le(lo);
    this.body.u32le(hi);
    return this;
  }

  /** `v128.const` of 16 bytes (lane 0 first). */
  v128Const(bytes: ArrayLike<number>): this {
    if (bytes.length !== 16) throw new WasmBuildError(`v128.const: needs 16 bytes, got ${bytes.length}`);
    this.simdPrefix(0x0c);
    for (let i = 0; i < 16; i++) this.body.byte(bytes[i]!);
    return this;
  }

  /** `v128.const` of four 32-bit lanes (lane 0 first). */
  v128ConstI32x4(a: number, b: number, c: number, d: number): this {
    this.simdPrefix(0x0c);
    this.body.u32le(a);
    this.body.u32le(b);
    this.body.u32le(c);
    this.body.u32le(d);
    return this;
  }

  // ---- plain instructions by opcode table ----

  /** A one-byte instruction without immediates from `Op` (arithmetic, compare, conversions, drop, select, ...). */
  op(code: Opcode): this {
    if (IS_OP[code] !== 1) throw new WasmBuildError(`op: 0x${Number(code).toString(16)} is not an instruction without immediates (see Op)`);
    return this.op1(code);
  }

  /** A `0xFC`-prefixed instruction without immediates from `MiscOp` (saturating truncations). */
  misc(code: MiscOpcode): this {
    if (IS_MISC_OP[code] !== 1) throw new WasmBuildError(`misc: ${code} is not in MiscOp`);
    this.body.byte(Prefix.misc);
    this.body.u32(code);
    return this;
  }

  /** A `0xFD`-prefixed instruction without immediates from `SimdOp`. */
  simd(code: SimdOpcode): this {
    if (IS_SIMD_OP[code] !== 1) throw new WasmBuildError(`simd: 0x${Number(code).toString(16)} is not in SimdOp`);
    return this.simdPrefix(code);
  }

  // ---- memory ----

  /**
   * A load or store from `MemOp` with a memarg: `offset` in [0, 2^32-1] is added to the popped address;
   * `alignLog2` (default: the access width) is the alignment hint, at most the access width.
   */
  mem(code: MemOpcode, offset = 0, alignLog2 = -1): this {
    if (IS_MEM_OP[code] !== 1) throw new WasmBuildError(`mem: 0x${Number(code).toString(16)} is not in MemOp`);
    this.checkMemory('load/store');
    this.op1(code);
    return this.memarg(MEM_ALIGN_LOG2[code]!, offset, alignLog2);
  }

  /** A SIMD load or store from `SimdMemOp` with a memarg (as `mem`). */
  simdMem(code: SimdMemOpcode, offset = 0, alignLog2 = -1): this {
    if (IS_SIMD_MEM_OP[code] !== 1) throw new WasmBuildError(`simdMem: 0x${Number(code).toString(16)} is not in SimdMemOp`);
    this.checkMemory('v128 load/store');
    this.simdPrefix(code);
    return this.memarg(SIMD_MEM_ALIGN_LOG2[code]!, offset, alignLog2);
  }

  /** A SIMD lane load or store from `SimdMemLaneOp`: a memarg, then the lane index. */
  simdMemLane(code: SimdMemLaneOpcode, offset: number, lane: number, alignLog2 = -1): this {
    if (IS_SIMD_MEM_LANE_OP[code] !== 1) throw new WasmBuildError(`simdMemLane: 0x${Number(code).toString(16)} is not in SimdMemLaneOp`);
    this.checkMemory('v128 lane load/store');
    this.checkLane(lane, SIMD_MEM_LANES[code]!, 'simdMemLane');
    this.simdPrefix(code);
    this.memarg(SIMD_MEM_LANE_ALIGN_LOG2[code]!, offset, alignLog2);
    this.body.byte(lane);
    return this;
  }

  /** `memory.size` (pages, i32). */
  memorySize(): this {
    this.checkMemory('memory.size');
    this.op1(Ctl.memory_size);
    this.body.byte(0);
    return this;
  }

  /** `memory.grow` (pops a page count, pushes the old size or -1). */
  memoryGrow(): this {
    this.checkMemory('memory.grow');
    this.op1(Ctl.memory_grow);
    this.body.byte(0);
    return this;
  }

  /** `memory.fill` (pops destination, byte value, length). */
  memoryFill(): this {
    this.checkMemory('memory.fill');
    this.body.byte(Prefix.misc);
    this.body.u32(Bulk.memory_fill);
    this.body.byte(0);
    return this;
  }

  /** `memory.copy` (pops destination, source, length; overlapping ranges allowed). */
  memoryCopy(): this {
    this.checkMemory('memory.copy');
    this.body.byte(Prefix.misc);
    this.body.u32(Bulk.memory_copy);
    this.body.byte2(0, 0);
    return this;
  }

  // ---- SIMD with immediates ----

  /** A lane accessor from `SimdLaneOp` (`extract_lane`, `replace_lane`) with lane index `lane`. */
  simdLane(code: SimdLaneOpcode, lane: number): this {
    if (IS_SIMD_LANE_OP[code] !== 1) throw new WasmBuildError(`simdLane: 0x${Number(code).toString(16)} is not in SimdLaneOp`);
    this.checkLane(lane, SIMD_LANES[code]!, 'simdLane');
    this.simdPrefix(code);
    this.body.byte(lane);
    return this;
  }

  /** `i8x16.shuffle` with 16 lane selectors, each in [0, 31] (16 and up select from the second operand). */
  i8x16Shuffle(lanes: ArrayLike<number>): this {
    if (lanes.length !== 16) throw new WasmBuildError(`i8x16.shuffle: needs 16 lane indices, got ${lanes.length}`);
    for (let i = 0; i < 16; i++) this.checkLane(lanes[i]!, 32, 'i8x16.shuffle');
    this.simdPrefix(0x0d);
    for (let i = 0; i < 16; i++) this.body.byte(lanes[i]!);
    return this;
  }

  // ---- internals ----

  private op1(code: number): this {
    if (!this.active) this.assertActive();
    this.body.byte(code);
    return this;
  }

  private opU32(code: number, imm: number): this {
    this.op1(code);
    this.body.u32(imm);
    return this;
  }

  private simdPrefix(code: number): this {
    this.op1(Prefix.simd);
    this.body.u32(code);
    return this;
  }

  private memarg(naturalLog2: number, offset: number, alignLog2: number): this {
    const align = alignLog2 < 0 ? naturalLog2 : alignLog2;
    if (!Number.isInteger(align) || align > naturalLog2) {
      throw new WasmBuildError(`memarg: alignment 2^${alignLog2} is more than the access width 2^${naturalLog2}`);
    }
    if (offset !== offset >>> 0) throw new WasmBuildError(`memarg: offset ${offset} is not an integer in [0, 2^32-1]`);
    this.body.u32(align);
    this.body.u32(offset);
    return this;
  }

  private open(kind: number, code: number, type: number): this {
    if (type !== VOID_BLOCK && !isValType(type)) {
      throw new WasmBuildError(`${KIND_NAMES[kind]}: 0x${Number(type).toString(16)} is not a block type (VOID_BLOCK or a value type)`);
    }
    this.push(kind, kind === K_IF && type !== VOID_BLOCK ? 1 : 0);
    this.op1(code);
    this.body.byte(type);
    return this;
  }

  private openWithType(kind: number, code: number, typeIndex: number): this {
    if (!isIndex(typeIndex, this.ctx.typeCount)) {
      throw new WasmBuildError(`${KIND_NAMES[kind]}: type index ${typeIndex} is not declared (${this.ctx.typeCount} types)`);
    }
    let needsElse = 0;
    if (kind === K_IF) {
      const p = this.ctx.typeParams(typeIndex);
      const r = this.ctx.typeResults(typeIndex);
      needsElse = p.length !== r.length || p.some((t, i) => t !== r[i]) ? 1 : 0;
    }
    this.push(kind, needsElse);
    this.op1(code);
    this.body.s64Number(typeIndex); // a type index as a block type is a positive s33
    return this;
  }

  private push(kind: number, needsElse: number): void {
    this.assertActive();
    if (this.depth === this.kinds.length) {
      this.kinds = grow(this.kinds);
      this.needsElse = grow(this.needsElse);
    }
    this.kinds[this.depth] = kind;
    this.needsElse[this.depth] = needsElse;
    this.depth++;
  }

  private pushLocal(type: number): void {
    if (this.localCount === this.localTypes.length) this.localTypes = grow(this.localTypes);
    this.localTypes[this.localCount++] = type;
  }

  private assertActive(): void {
    if (!this.active) throw new WasmBuildError('no function body is being built (call ModuleBuilder.beginFunction first)');
  }

  private checkLocal(index: number, what: string): void {
    if (!isIndex(index, this.localCount)) {
      throw new WasmBuildError(`${what} ${index}: function ${this.funcIndex} has ${this.localCount} locals (parameters included)`);
    }
  }

  private checkGlobal(index: number, what: string): void {
    if (!isIndex(index, this.ctx.globalCount)) {
      throw new WasmBuildError(`${what} ${index}: the module has ${this.ctx.globalCount} globals`);
    }
  }

  private checkFunc(index: number, what: string): void {
    if (!isIndex(index, this.ctx.functionCount)) {
      throw new WasmBuildError(`${what} ${index}: the module has ${this.ctx.functionCount} functions (declare callees first)`);
    }
  }

  private checkIndirect(typeIndex: number, tableIndex: number, what: string): void {
    if (!isIndex(typeIndex, this.ctx.typeCount)) {
      throw new WasmBuildError(`${what}: type index ${typeIndex} is not declared (${this.ctx.typeCount} types)`);
    }
    if (!isIndex(tableIndex, this.ctx.tableCount)) {
      throw new WasmBuildError(`${what}: table ${tableIndex} is not declared (${this.ctx.tableCount} tables)`);
    }
  }

  private checkLabel(label: number, what: string): void {
    if (!isIndex(label, this.depth + 1)) {
      throw new WasmBuildError(`${what} ${label}: only ${this.depth + 1} label(s) are in scope (0 = innermost block, ${this.depth} = function body)`);
    }
  }

  private checkLane(lane: number, lanes: number, what: string): void {
    if (!isIndex(lane, lanes)) throw new WasmBuildError(`${what}: lane index ${lane} is not in [0, ${lanes - 1}]`);
  }

  private checkMemory(what: string): void {
    if (!this.ctx.hasMemory) throw new WasmBuildError(`${what}: the module has no memory (import or define one first)`);
  }

  private checkValType(type: number, what: string): void {
    if (!isValType(type)) throw new WasmBuildError(`${what}: 0x${Number(type).toString(16)} is not a value type`);
  }
}

function isIndex(i: number, count: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < count;
}

function grow(a: Uint8Array): Uint8Array {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}
