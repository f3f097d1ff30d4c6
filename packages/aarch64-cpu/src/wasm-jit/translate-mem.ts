/**
 * WebAssembly translations of the plain loads and stores, keyed by the decode table's row names: LDR/STR of every
 * size and the sign-extending loads with an unsigned, unscaled, pre- or post-indexed immediate or a register
 * offset, and LDP/STP/LDNP/STNP/LDPSW; LDR/STR/LDP/STP/LDNP/STNP, LD1/ST1 (multiple structures) and LD1R of SIMD&FP
 * registers (spec/simd-fp-loads-stores.ts, with CPACR_EL1.FPEN checked inline). They are derived from the instruction specification (spec/loads-stores.ts)
 * by its WebAssembly backend (spec-wasm.ts): each access has an inline fast path through the arena data TLB
 * (BlockEmitter.fastCheck) that applies only when the whole instruction completes without a fault, a tag mismatch,
 * a store to translated code or an open reservation; otherwise the handler runs it (BlockEmitter.withSlowPath).
 * The LSE atomics LD<op> and SWP (spec/atomics.ts) load and store the same address: both accesses' checks pass, or
 * the handler runs the whole instruction; CAS likewise, from a specification of its own (compareAndSwapTranslation).
 * The exclusive, CASP, unprivileged, literal and MTE forms are handlers; LDAR/STLR (emitted as this file's
 * LDR/STR with offset 0) and the prefetch hints (nothing) are translate-sys.ts's.
 */
import { ATOMIC_SPECS, CAS_WASM_SPECS } from '../spec/atomics.js';
import { LOAD_STORE_SPECS } from '../spec/loads-stores.js';
import { SIMD_FP_LOAD_STORE_SPECS } from '../spec/simd-fp-loads-stores.js';
import type { Translator } from './block-emitter.js';
import { specTranslations } from './spec-wasm.js';

const MEMORY_TRANSLATIONS = specTranslations([...LOAD_STORE_SPECS.pairs, ...LOAD_STORE_SPECS.single.flat(2),
  ...SIMD_FP_LOAD_STORE_SPECS.pairs, ...SIMD_FP_LOAD_STORE_SPECS.single, ...SIMD_FP_LOAD_STORE_SPECS.ld1,
  ...SIMD_FP_LOAD_STORE_SPECS.ld1r, ...ATOMIC_SPECS.flat()]);

const CAS_TRANSLATIONS = specTranslations(CAS_WASM_SPECS);

/**
 * The translation of CAS/CASA/CASL/CASAL, whose rows are handlers (no specification): from the WebAssembly tier's
 * own specification of them (spec/atomics.ts CAS_WASM_SPECS), by row name; undefined for any other row.
 */
export function compareAndSwapTranslation(name: string): Translator | undefined {
  return CAS_TRANSLATIONS.get(name);
}

/** The translation of a loads-and-stores row, by its name (insn/loads-and-stores.ts), or undefined. */
export function memoryTranslation(name: string): Translator | undefined {
  return MEMORY_TRANSLATIONS.get(name);
}
