/**
 * The calling convention of the WebAssembly tier's block functions, shared by the block emitter (block-emitter.ts,
 * whose file comment describes it), the functions every block module holds (module-functions.ts), the translators
 * and the tier: the parameters, the mode word, the exit codes and how emitted code calls the tier's entries.
 */
import type { FunctionBuilder } from '../wasm/function-builder.js';

/**
 * How emitted code reaches one of the tier's entries (the handler calls, ERET, the next block's mode, the BlockTable's
 * enter and check): a function index called directly (an import; -1: the entry is missing and what needs it is not
 * emitted), or a slot of an imported table with the entry's signature, called indirectly (the tier's block modules
 * import no functions: WasmTier's hub).
 */
export type CallOut = number | { readonly slot: number; readonly type: number };

/** Whether `c` names an entry. */
export const hasCallOut = (c: CallOut): boolean => typeof c !== 'number' || c >= 0;

/** Call `c` with its arguments on the stack. */
export function pushCallOut(f: FunctionBuilder, c: CallOut): FunctionBuilder {
  if (typeof c === 'number') return f.call(c);
  return f.i32Const(c.slot).callIndirect(c.type);
}

/** Tail-call `c` with its arguments on the stack. */
export function pushReturnCallOut(f: FunctionBuilder, c: CallOut): FunctionBuilder {
  if (typeof c === 'number') return f.returnCall(c);
  return f.i32Const(c.slot).returnCallIndirect(c.type);
}

/**
 * Exit codes of a block function other than the direct exits (`2 i + e` for block i of its module: block-emitter.ts
 * file comment).
 */
export const WasmExit = { Handler: -1, Raised: -3, IndirectBase: -4 } as const;

/** What the `eret` entry answers when ERET's handler raised an exception (modes are >= 0, -1 the run loop's). */
export const ERET_RAISED = -2;

/** Parameters of a block function (translators read the state block's offset and the mode: translate-sys.ts). */
export const P_ST = 0;
export const P_BUDGET = 1;
export const P_MODE = 2;

/** The mode's bit for "no tag check whatever PSTATE.TCO" (block-emitter.ts file comment). */
export const MODE_TCF_OFF = 0x40;

/** The mode's bit for "a debug event is configured" (block-emitter.ts file comment). */
export const MODE_DEBUG = 0x80;

/** The `mode` argument of a block function (block-emitter.ts file comment). */
export function blockMode(spEl1: boolean, tlbClass: 0 | 1 | 2 | 3, tagChecksOff: boolean, el = 0, tcfOff = tagChecksOff,
  debug = false): number {
  return (spEl1 ? 1 : 0) | (tagChecksOff ? 2 : 0) | (tlbClass << 2) | ((el & 3) << 4) | (tcfOff ? MODE_TCF_OFF : 0) |
    (debug ? MODE_DEBUG : 0);
}
