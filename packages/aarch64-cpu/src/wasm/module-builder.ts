/**
 * The module builder: signatures (deduplicated), imports (functions, one memory, globals, a table), functions and
 * their bodies, globals, a funcref table with element segments for `call_indirect`, exports, active data segments,
 * and `finish()` to the binary module. Misuse (unknown indices, a second memory, imports after definitions, a
 * declared function without a body, duplicate export names) throws `WasmBuildError` at the call that commits it.
 *
 * One `ModuleBuilder` owns one `FunctionBuilder` that is reused for every body; bodies are appended to one code buffer
 * as they finish. `reset()` makes the builder ready for another module, keeping its buffers.
 */

import { ByteBuffer } from './byte-buffer.js';
import { sizeU32 } from './leb128.js';
import { Ctl } from './opcodes.js';
import { FunctionBuilder, type FunctionContext } from './function-builder.js';
import { ExternalKind, isValType, MAX_MEMORY_PAGES, valTypeName, WasmBuildError, type ValType } from './types.js';

const MAGIC_AND_VERSION = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Section ids, in the order the binary format requires them. */
const Section = {
  type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, element: 9, code: 10, data: 11,
} as const;

/** Size limits of a memory (64 KiB pages) or table (elements). */
export interface Limits {
  /** Initial size. */
  min: number;
  /** Largest size; required for a shared memory. */
  max?: number;
}

/** A memory's limits and whether it is shared (a `SharedArrayBuffer`, usable from several agents). */
export interface MemoryLimits extends Limits {
  shared?: boolean;
}

interface Signature {
  params: readonly ValType[];
  results: readonly ValType[];
}

/** Builds one WebAssembly module; see the file comment. */
export class ModuleBuilder implements FunctionContext {
  private readonly signatures: Signature[] = [];
  private readonly signatureIndex = new Map<string, number>();
  private readonly imports = new ByteBuffer();
  private importCount = 0;
  private funcImports = 0;
  private readonly funcTypes: number[] = []; // by function index (imports first)
  private readonly globalMutable: boolean[] = []; // by global index (imports first)
  private readonly globals = new ByteBuffer(); // defined globals' entries
  private definedGlobals = 0;
  private memory: 'none' | 'imported' | 'defined' = 'none';
  private memoryLimits: MemoryLimits = { min: 0 };
  private table: 'none' | 'imported' | 'defined' = 'none';
  private tableLimits: Limits = { min: 0 };
  private readonly elements = new ByteBuffer();
  private elementCount = 0;
  private readonly exports = new ByteBuffer();
  private readonly exportNames = new Set<string>();
  private readonly data = new ByteBuffer();
  private dataCount = 0;
  private readonly code = new ByteBuffer(4096);
  private bodyStart: number[] = []; // by defined-function index; -1 until the body is finished
  private bodyEnd: number[] = [];
  private readonly scratch = new ByteBuffer(64);
  private readonly section = new ByteBuffer(1024);
  private readonly out = new ByteBuffer(4096);
  private readonly fn = new FunctionBuilder(this);

  // ---- FunctionContext ----

  get functionCount(): number {
    return this.funcTypes.length;
  }

  get typeCount(): number {
    return this.signatures.length;
  }

  get globalCount(): number {
    return this.globalMutable.length;
  }

  get tableCount(): number {
    return this.table === 'none' ? 0 : 1;
  }

  get hasMemory(): boolean {
    return this.memory !== 'none';
  }

  isGlobalMutable(index: number): boolean {
    return this.globalMutable[index] === true;
  }

  typeParams(typeIndex: number): readonly ValType[] {
    return this.signatureAt(typeIndex).params;
  }

  typeResults(typeIndex: number): readonly ValType[] {
    return this.signatureAt(typeIndex).results;
  }

  // ---- signatures ----

  /** The index of the signature `params -> results`, adding it if new (equal signatures share one index). */
  type(params: readonly ValType[], results: readonly ValType[]): number {
    let key = '';
    for (const p of params) key += String.fromCharCode(checkValType(p, 'type'));
    key += ':';
    for (const r of results) key += String.fromCharCode(checkValType(r, 'type'));
    const known = this.signatureIndex.get(key);
    if (known !== undefined) return known;
    const index = this.signatures.length;
    this.signatures.push({ params: params.slice(), results: results.slice() });
    this.signatureIndex.set(key, index);
    return index;
  }

  // ---- imports ----

  /** Imports a function of signature `typeIndex`; returns its function index. Import functions before defining any. */
  importFunction(module: string, name: string, typeIndex: number): number {
    this.signatureAt(typeIndex);
    if (this.funcTypes.length !== this.funcImports) {
      throw new WasmBuildError(`importFunction ${module}.${name}: functions must be imported before any is declared`);
    }
    this.importHeader(module, name, ExternalKind.func);
    this.imports.u32(typeIndex);
    this.funcImports++;
    this.funcTypes.push(typeIndex);
    return this.funcTypes.length - 1;
  }

  /** Imports the module's one memory (a `WebAssembly.Memory` with matching limits and sharedness). */
  importMemory(module: string, name: string, limits: MemoryLimits): void {
    this.claimMemory(`importMemory ${module}.${name}`, limits);
    this.importHeader(module, name, ExternalKind.memory);
    writeLimits(this.imports, limits);
    this.memory = 'imported';
  }

  /** Imports a global; returns its global index. Import globals before defining any. */
  importGlobal(module: string, name: string, type: ValType, mutable: boolean): number {
    checkValType(type, `importGlobal ${module}.${name}`);
    if (this.definedGlobals !== 0) {
      throw new WasmBuildError(`importGlobal ${module}.${name}: globals must be imported before any is defined`);
    }
    this.importHeader(module, name, ExternalKind.global);
    this.imports.byte(type);
    this.imports.byte(mutable ? 1 : 0);
    this.globalMutable.push(mutable);
    return this.globalMutable.length - 1;
  }

  /** Imports the module's one table (funcref), for `call_indirect` through a table shared between modules. */
  importTable(module: string, name: string, limits: Limits): void {
    this.claimTable(`importTable ${module}.${name}`, limits);
    this.importHeader(module, name, ExternalKind.table);
    this.imports.byte(0x70);
    writeLimits(this.imports, limits);
    this.table = 'imported';
  }

  // ---- definitions ----

  /** Defines the module's one memory. */
  defineMemory(limits: MemoryLimits): void {
    this.claimMemory('defineMemory', limits);
    this.memory = 'defined';
  }

  /** Defines the module's one table (funcref). */
  defineTable(limits: Limits): void {
    this.claimTable('defineTable', limits);
    this.table = 'defined';
  }

  /**
   * Defines a global with a constant initial value (a Number for i32/f32/f64, a Number or bigint for i64);
   * returns its global index.
   */
  addGlobal(type: ValType, mutable: boolean, init: number | bigint): number {
    const bad = (why: string) => new WasmBuildError(`addGlobal ${valTypeName(type)}: initial value ${init} ${why}`);
    if (type === 0x7f && (typeof init !== 'number' || !Number.isInteger(init) || init < -0x80000000 || init > 0xffffffff)) {
      throw bad('is not an integer in [-2^31, 2^32-1]');
    }
    if (type === 0x7e && (typeof init === 'number' ? !Number.isSafeInteger(init) : init < -(1n << 63n) || init >= 1n << 64n)) {
      throw bad('is not a safe integer or a bigint in [-2^63, 2^64-1]');
    }
    if ((type === 0x7d || type === 0x7c) && typeof init !== 'number') throw bad('is not a Number');
    if (type !== 0x7f && type !== 0x7e && type !== 0x7d && type !== 0x7c) {
      throw new WasmBuildError(`addGlobal: type ${valTypeName(type)} is not i32, i64, f32 or f64`);
    }
    const g = this.globals;
    g.byte(type);
    g.byte(mutable ? 1 : 0);
    if (type === 0x7f) {
      g.byte(Ctl.i32_const);
      g.s32(Number(init) | 0);
    } else if (type === 0x7e) {
      g.byte(Ctl.i64_const);
      if (typeof init === 'number') g.s64Number(init);
      else g.s64BigInt(init);
    } else if (type === 0x7d) {
      g.byte(Ctl.f32_const);
      g.f32(Number(init));
    } else {
      g.byte(Ctl.f64_const);
      g.f64(Number(init));
    }
    g.byte(Ctl.end);
    this.definedGlobals++;
    this.globalMutable.push(mutable);
    return this.globalMutable.length - 1;
  }

  /** Declares a function of signature `typeIndex` (its body comes later, from `beginFunction`); returns its index. */
  declareFunction(typeIndex: number): number {
    this.signatureAt(typeIndex);
    this.funcTypes.push(typeIndex);
    this.bodyStart.push(-1);
    this.bodyEnd.push(-1);
    return this.funcTypes.length - 1;
  }

  /**
   * Starts the body of declared function `funcIndex` (or, with `{ typeIndex }`, declares a new one and starts it)
   * and returns the module's one function builder. Finish it with `endFunction()` before starting another.
   */
  beginFunction(funcIndex: number): FunctionBuilder;
  beginFunction(declare: { typeIndex: number }): FunctionBuilder;
  beginFunction(target: number | { typeIndex: number }): FunctionBuilder {
    if (this.fn.building) {
      throw new WasmBuildError(`beginFunction: function ${this.fn.funcIndex} is still being built (call endFunction first)`);
    }
    const funcIndex = typeof target === 'number' ? target : this.declareFunction(target.typeIndex);
    const defined = funcIndex - this.funcImports;
    if (!Number.isInteger(funcIndex) || defined < 0 || funcIndex >= this.funcTypes.length) {
      throw new WasmBuildError(`beginFunction ${funcIndex}: not a declared (non-imported) function`);
    }
    if (this.bodyStart[defined] !== -1) throw new WasmBuildError(`beginFunction ${funcIndex}: its body is already defined`);
    this.fn.begin(funcIndex, this.funcTypes[funcIndex]!);
    return this.fn;
  }

  /** Ends the body being built (throws if blocks are still open); returns its function index. */
  endFunction(): number {
    if (!this.fn.building) throw new WasmBuildError('endFunction: no function body is being built');
    const funcIndex = this.fn.funcIndex;
    const start = this.code.length;
    this.fn.finishInto(this.code, this.scratch);
    this.bodyStart[funcIndex - this.funcImports] = start;
    this.bodyEnd[funcIndex - this.funcImports] = this.code.length;
    return funcIndex;
  }

  /**
   * Abandons the body being built (after a failed translation, say): the function stays declared without a body,
   * so `beginFunction` can start it again. Does nothing when no body is being built.
   */
  abandonFunction(): void {
    this.fn.discard();
  }

  /** Places functions `funcIndices` into the table from slot `offset` on (an active element segment). */
  addElements(offset: number, funcIndices: ArrayLike<number>): void {
    if (this.table === 'none') throw new WasmBuildError('addElements: the module has no table (define or import one first)');
    if (offset !== offset >>> 0) throw new WasmBuildError(`addElements: offset ${offset} is not an integer in [0, 2^32-1]`);
    for (let i = 0; i < funcIndices.length; i++) {
      const f = funcIndices[i]!;
      if (!Number.isInteger(f) || f < 0 || f >= this.funcTypes.length) {
        throw new WasmBuildError(`addElements: function ${f} is not declared (${this.funcTypes.length} functions)`);
      }
    }
    const e = this.elements;
    e.byte(0x00); // active, table 0, funcref by index
    e.byte(Ctl.i32_const);
    e.s32(offset | 0);
    e.byte(Ctl.end);
    e.u32(funcIndices.length);
    for (let i = 0; i < funcIndices.length; i++) e.u32(funcIndices[i]!);
    this.elementCount++;
  }

  /** Copies `bytes` into memory at `offset` when the module is instantiated (an active data segment). */
  addData(offset: number, bytes: Uint8Array): void {
    if (this.memory === 'none') throw new WasmBuildError('addData: the module has no memory (define or import one first)');
    if (offset !== offset >>> 0) throw new WasmBuildError(`addData: offset ${offset} is not an integer in [0, 2^32-1]`);
    const d = this.data;
    d.byte(0x00); // active, memory 0
    d.byte(Ctl.i32_const);
    d.s32(offset | 0);
    d.byte(Ctl.end);
    d.u32(bytes.length);
    d.append(bytes);
    this.dataCount++;
  }

  // ---- exports ----

  exportFunction(name: string, funcIndex: number): void {
    if (!Number.isInteger(funcIndex) || funcIndex < 0 || funcIndex >= this.funcTypes.length) {
      throw new WasmBuildError(`exportFunction ${name}: function ${funcIndex} is not declared`);
    }
    this.exportEntry(name, ExternalKind.func, funcIndex);
  }

  exportMemory(name: string): void {
    if (this.memory === 'none') throw new WasmBuildError(`exportMemory ${name}: the module has no memory`);
    this.exportEntry(name, ExternalKind.memory, 0);
  }

  exportTable(name: string): void {
    if (this.table === 'none') throw new WasmBuildError(`exportTable ${name}: the module has no table`);
    this.exportEntry(name, ExternalKind.table, 0);
  }

  exportGlobal(name: string, globalIndex: number): void {
    if (!Number.isInteger(globalIndex) || globalIndex < 0 || globalIndex >= this.globalMutable.length) {
      throw new WasmBuildError(`exportGlobal ${name}: global ${globalIndex} is not declared`);
    }
    this.exportEntry(name, ExternalKind.global, globalIndex);
  }

  // ---- output ----

  /** The binary module (a fresh copy; the builder can be `reset()` and reused). */
  finish(): Uint8Array {
    if (this.fn.building) throw new WasmBuildError(`finish: function ${this.fn.funcIndex} is still being built`);
    for (let i = 0; i < this.bodyStart.length; i++) {
      if (this.bodyStart[i] === -1) throw new WasmBuildError(`finish: function ${i + this.funcImports} is declared but has no body`);
    }
    const out = this.out;
    out.reset();
    out.append(MAGIC_AND_VERSION);

    const s = this.beginSection();
    if (this.signatures.length > 0) {
      s.u32(this.signatures.length);
      for (const sig of this.signatures) {
        s.byte(0x60);
        s.u32(sig.params.length);
        for (const p of sig.params) s.byte(p);
        s.u32(sig.results.length);
        for (const r of sig.results) s.byte(r);
      }
      this.endSection(Section.type);
    }
    if (this.importCount > 0) this.copySection(Section.import, this.importCount, this.imports);
    const defined = this.bodyStart.length;
    if (defined > 0) {
      this.beginSection().u32(defined);
      for (let i = 0; i < defined; i++) s.u32(this.funcTypes[this.funcImports + i]!);
      this.endSection(Section.function);
    }
    if (this.table === 'defined') {
      this.beginSection().u32(1);
      s.byte(0x70);
      writeLimits(s, this.tableLimits);
      this.endSection(Section.table);
    }
    if (this.memory === 'defined') {
      this.beginSection().u32(1);
      writeLimits(s, this.memoryLimits);
      this.endSection(Section.memory);
    }
    if (this.definedGlobals > 0) this.copySection(Section.global, this.definedGlobals, this.globals);
    if (this.exportNames.size > 0) this.copySection(Section.export, this.exportNames.size, this.exports);
    if (this.elementCount > 0) this.copySection(Section.element, this.elementCount, this.elements);
    if (defined > 0) {
      // Bodies sit in the code buffer in the order they were finished; the section lists them by function index.
      let size = sizeU32(defined);
      for (let i = 0; i < defined; i++) size += this.bodyEnd[i]! - this.bodyStart[i]!;
      out.byte(Section.code);
      out.u32(size);
      out.u32(defined);
      for (let i = 0; i < defined; i++) out.append(this.code.bytes, this.bodyStart[i], this.bodyEnd[i]);
    }
    if (this.dataCount > 0) this.copySection(Section.data, this.dataCount, this.data);
    return out.toBytes();
  }

  /** Forgets everything declared so far, keeping the buffers, so the builder can make another module. */
  reset(): void {
    this.fn.discard();
    this.signatures.length = 0;
    this.signatureIndex.clear();
    this.imports.reset();
    this.importCount = 0;
    this.funcImports = 0;
    this.funcTypes.length = 0;
    this.globalMutable.length = 0;
    this.globals.reset();
    this.definedGlobals = 0;
    this.memory = 'none';
    this.table = 'none';
    this.elements.reset();
    this.elementCount = 0;
    this.exports.reset();
    this.exportNames.clear();
    this.data.reset();
    this.dataCount = 0;
    this.code.reset();
    this.bodyStart.length = 0;
    this.bodyEnd.length = 0;
  }

  // ---- internals ----

  private signatureAt(typeIndex: number): Signature {
    const sig = Number.isInteger(typeIndex) ? this.signatures[typeIndex] : undefined;
    if (sig === undefined) throw new WasmBuildError(`type index ${typeIndex} is not declared (${this.signatures.length} types)`);
    return sig;
  }

  private importHeader(module: string, name: string, kind: ExternalKind): void {
    this.imports.name(module);
    this.imports.name(name);
    this.imports.byte(kind);
    this.importCount++;
  }

  private claimMemory(what: string, limits: MemoryLimits): void {
    if (this.memory !== 'none') throw new WasmBuildError(`${what}: the module already has a memory (only one is supported)`);
    checkLimits(what, limits, MAX_MEMORY_PAGES);
    if (limits.shared === true && limits.max === undefined) throw new WasmBuildError(`${what}: a shared memory needs a maximum size`);
    this.memoryLimits = { min: limits.min, max: limits.max, shared: limits.shared === true };
  }

  private claimTable(what: string, limits: Limits): void {
    if (this.table !== 'none') throw new WasmBuildError(`${what}: the module already has a table (only one is supported)`);
    checkLimits(what, limits, 0xffffffff);
    this.tableLimits = { min: limits.min, max: limits.max };
  }

  private exportEntry(name: string, kind: ExternalKind, index: number): void {
    if (this.exportNames.has(name)) throw new WasmBuildError(`export name "${name}" is used twice`);
    this.exportNames.add(name);
    this.exports.name(name);
    this.exports.byte(kind);
    this.exports.u32(index);
  }

  private beginSection(): ByteBuffer {
    this.section.reset();
    return this.section;
  }

  private endSection(id: number): void {
    this.out.byte(id);
    this.out.u32(this.section.length);
    this.out.append(this.section.bytes, 0, this.section.length);
  }

  private copySection(id: number, count: number, entries: ByteBuffer): void {
    this.out.byte(id);
    this.out.u32(sizeU32(count) + entries.length);
    this.out.u32(count);
    this.out.append(entries.bytes, 0, entries.length);
  }
}

function checkValType(t: ValType, what: string): ValType {
  if (!isValType(t)) throw new WasmBuildError(`${what}: 0x${Number(t).toString(16)} is not a value type`);
  return t;
}

function checkLimits(what: string, limits: Limits, largest: number): void {
  const { min, max } = limits;
  if (!Number.isInteger(min) || min < 0 || min > largest) throw new WasmBuildError(`${what}: minimum ${min} is not an integer in [0, ${largest}]`);
  if (max !== undefined && (!Number.isInteger(max) || max < min || max > largest)) {
    throw new WasmBuildError(`${what}: maximum ${max} is not an integer in [${min}, ${largest}]`);
  }
}

function writeLimits(b: ByteBuffer, limits: MemoryLimits): void {
  const flag = (limits.max !== undefined ? 1 : 0) | (limits.shared === true ? 2 : 0);
  b.byte(flag);
  b.u32(limits.min);
  if (limits.max !== undefined) b.u32(limits.max);
}
