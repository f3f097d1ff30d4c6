/**
 * The context of FP operations ({@link FpCtx}): what an operation obeys (FPCR), what it raises (FPSR flags), its
 * second result word, and the scratch it works in, so the library keeps no state of its own.
 */
import { FPCR_RMODE_SHIFT, type Rounding } from './format.js';
import { Tail } from './round.js';
import { Unpacked } from './unpack.js';

/**
 * The context of FP operations: the FPCR they obey (set by the caller), the FPSR flags they raise (ORed into
 * `flags`; the caller moves them to FPSR), the high 32 bits of a 64-bit result (`hi`), and scratch (unpacked
 * operands, float views). It carries nothing from one instruction to the next that the next does not set first.
 */
export class FpCtx {
  /** FPCR of the current instruction. */
  fpcr = 0;
  /** Cumulative exception flags raised (FPSR bit positions). */
  flags = 0;
  /** The high word of the last 64-bit result (its low word is the return value). */
  hi = 0;
  /** FPCR.RMode. */
  get rmode(): Rounding {
    return (this.fpcr >>> FPCR_RMODE_SHIFT) & 3;
  }

  // ---- scratch, refilled by every operation (never read before it is written) ----
  /** @internal Unpacked operands. */
  readonly u1 = new Unpacked();
  /** @internal */
  readonly u2 = new Unpacked();
  /** @internal */
  readonly u3 = new Unpacked();
  /** @internal integer.ts splitInt's results: the integer part of a magnitude and where its fraction lies. */
  int = 0;
  /** @internal */
  tail: Tail = Tail.Exact;
  /** @internal fast.ts: the error of the last exact product. */
  prodErr = 0;
  /** @internal fast.ts: views to move bits to and from host floats. */
  readonly f64 = new Float64Array(1);
  /** @internal */
  readonly u64w = new Uint32Array(this.f64.buffer);
  /** @internal */
  readonly f32 = new Float32Array(1);
  /** @internal */
  readonly u32w = new Uint32Array(this.f32.buffer);
}
