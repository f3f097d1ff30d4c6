/**
 * WebAssembly translations of the plain loads and stores (insn/loads-and-stores.ts): LDR/STR of every size and the
 * sign-extending loads with an unsigned, unscaled, pre- or post-indexed immediate or a register offset, and
 * LDP/STP/LDNP/STNP of 32- and 64-bit registers. Each has an inline fast path through the arena data TLB
 * (BlockEmitter.fastCheck) that applies only when the whole instruction can complete without a fault, a tag check,
 * a store to translated code or an open reservation; otherwise the handler runs it (BlockEmitter.withSlowPath).
 * The exclusive, acquire/release, atomic, unprivileged, literal, prefetch and MTE forms are always the handler's.
 */
import { MemOp } from '../wasm/opcodes.js';
import { Op } from '../wasm/opcodes.js';
import type { BlockEmitter, Translator } from './block-emitter.js';

/** The load op for `size` (log2 bytes) zero-extending, and sign-extending to 64 bits. */
const LOAD_U = [MemOp.i64_load8_u, MemOp.i64_load16_u, MemOp.i64_load32_u, MemOp.i64_load] as const;
const LOAD_S = [MemOp.i64_load8_s, MemOp.i64_load16_s, MemOp.i64_load32_s, MemOp.i64_load] as const;
const STORE = [MemOp.i64_store8, MemOp.i64_store16, MemOp.i64_store32, MemOp.i64_store] as const;

/** How a single-register load or store forms its address. */
type Addressing = 'unsigned' | 'unscaled' | 'register' | 'post' | 'pre';

/**
 * LDR/STR/LDRB/.../LDRSW of one general-purpose register. The word's size and opc say what it is: opc 0 store,
 * 1 zero-extending load, 2 sign-extending load to 64 bits, 3 to 32 bits (size 3 with opc >= 2 and size 2 with
 * opc 3 are PRFM or unallocated: the handler).
 */
const single = (mode: Addressing): Translator => (e, w) => {
  const size = w >>> 30;
  const opc = (w >>> 22) & 3;
  if ((size === 3 && opc >= 2) || (size === 2 && opc === 3)) return false;
  const n = (w >>> 5) & 31;
  const t = w & 31;
  const store = opc === 0;
  const wb = mode === 'post' || mode === 'pre';
  // Writeback with Rn == Rt (Rn not SP) is CONSTRAINED UNPREDICTABLE: the handler's choice stands.
  if (wb && n === t && n !== 31) return false;
  let imm = 0;
  let regOffset: ((e: BlockEmitter) => void) | undefined;
  if (mode === 'unsigned') imm = ((w >>> 10) & 0xfff) << size;
  else if (mode === 'register') {
    const option = (w >>> 13) & 7;
    if ((option & 2) === 0) return false;
    const shift = (w & 0x1000) !== 0 ? size : 0;
    const m = (w >>> 16) & 31;
    regOffset = (em) => {
      const f = em.f;
      em.x(m);
      if (option === 2) em.zext32(); // UXTW
      else if (option === 6) f.op(Op.i64_extend32_s); // SXTW
      if (shift !== 0) f.i64Const(shift).op(Op.i64_shl);
    };
  } else imm = ((w >>> 12) & 0x1ff) << 23 >> 23; // imm9
  const f = e.f;
  const bytes = 1 << size;
  e.withSlowPath(() => {
    e.spAlignCheck(n, 0);
    // va = base (+ offset unless post-indexed)
    e.xsp(n);
    if (regOffset !== undefined) {
      regOffset(e);
      f.op(Op.i64_add);
    } else if (mode !== 'post' && imm !== 0) f.i64Const(imm).op(Op.i64_add);
    f.localSet(e.va);
    e.fastCheck(e.va, bytes, store, e.ha, 0);
    if (store) {
      f.localGet(e.ha);
      e.x(t);
      f.mem(STORE[size]!, 0, 0);
    } else if (t !== 31) {
      const load = (): void => {
        f.localGet(e.ha).mem((opc === 1 ? LOAD_U : LOAD_S)[size]!, 0, 0);
      };
      e.setX(t, opc === 3 ? 32 : 64, load);
    }
    if (wb) {
      // Rn = address + imm9 (post-index: the base + imm9; pre-index: the address used).
      e.setXsp(n, 64, () => {
        f.localGet(e.va);
        if (mode === 'post') f.i64Const(imm).op(Op.i64_add);
      });
    }
  }, [...(store ? [] : [t]), ...(wb ? [n] : [])]);
  return true;
};

/** LDP/STP/LDNP/STNP of two 32- or 64-bit registers; `mode` 1 post-index, 2 offset (0: non-temporal), 3 pre-index. */
const pair: Translator = (e, w) => {
  const opc = w >>> 30;
  if (opc !== 0 && opc !== 2) return false; // LDPSW, STGP, unallocated: the handler
  const load = (w & (1 << 22)) !== 0;
  const mode = (w >>> 23) & 3;
  const size = opc === 0 ? 2 : 3;
  const bytes = 1 << size;
  const n = (w >>> 5) & 31;
  const t = w & 31;
  const t2 = (w >>> 10) & 31;
  const wb = mode === 1 || mode === 3;
  if (load && t === t2) return false; // CONSTRAINED UNPREDICTABLE
  if (wb && n !== 31 && (n === t || n === t2)) return false;
  const imm = (((w >>> 15) & 0x7f) << 25 >> 25) * bytes;
  const f = e.f;
  e.withSlowPath(() => {
    e.spAlignCheck(n, 0);
    e.xsp(n);
    if (mode !== 1 && imm !== 0) f.i64Const(imm).op(Op.i64_add);
    f.localSet(e.va);
    f.localGet(e.va).i64Const(bytes).op(Op.i64_add).localSet(e.va2);
    e.fastCheck(e.va, bytes, !load, e.ha, 0);
    e.fastCheck(e.va2, bytes, !load, e.ha2, 0);
    if (load) {
      f.localGet(e.ha).mem(LOAD_U[size]!, 0, 0).localSet(e.a);
      f.localGet(e.ha2).mem(LOAD_U[size]!, 0, 0).localSet(e.b);
      e.setXFromLocal(t, e.a);
      e.setXFromLocal(t2, e.b);
    } else {
      f.localGet(e.ha);
      e.x(t);
      f.mem(STORE[size]!, 0, 0);
      f.localGet(e.ha2);
      e.x(t2);
      f.mem(STORE[size]!, 0, 0);
    }
    if (wb) {
      e.setXsp(n, 64, () => {
        f.localGet(e.va);
        if (mode === 1) f.i64Const(imm).op(Op.i64_add);
      });
    }
  }, [...(load ? [t, t2] : []), ...(wb ? [n] : [])]);
  return true;
};

/**
 * The translation of a loads-and-stores row, by its name (the table names rows after the Arm ARM's instruction and
 * addressing form, insn/loads-and-stores.ts), or undefined.
 */
export function memoryTranslation(name: string): Translator | undefined {
  if (/^(LDP|STP|LDNP|STNP) \(/.test(name)) return pair;
  if (!/^(LDR|STR|LDUR|STUR)(B|H|SB|SH|SW)? /.test(name)) return undefined;
  if (name.endsWith('(immediate, unsigned offset)')) return single('unsigned');
  if (name.endsWith('(unscaled)')) return single('unscaled');
  if (name.endsWith('(register)')) return single('register');
  if (name.endsWith('(immediate, post-index)')) return single('post');
  if (name.endsWith('(immediate, pre-index)')) return single('pre');
  return undefined;
}
