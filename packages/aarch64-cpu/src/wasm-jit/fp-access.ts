/**
 * CheckFPAdvSIMDEnabled64 in WebAssembly (fpsimd/access.ts `checkFpAccess`, whose traps stay the handler's): code
 * that leaves an i32 on the stack, non-zero when SIMD&FP is disabled at the current EL by CPACR_EL1.FPEN (a trap to
 * EL1) or trapped by CPTR_EL2.TFP (a trap to EL2). Used by the SIMD&FP loads and stores' `fpCheck` (spec-wasm.ts)
 * and by the direct calls of SIMD&FP data-processing handlers (BlockEmitter.callFpHandler): on non-zero they run the
 * row's full handler, which raises the trap.
 */
import { FP_ACCESS_WORDS } from '../fpsimd/access.js';
import { St } from '../state-layout.js';
import type { FunctionBuilder } from '../wasm/function-builder.js';
import { MemOp, Op } from '../wasm/opcodes.js';

/** Push (FPEN != 0b11 && (FPEN != 0b01 || EL == 0)) | CPTR_EL2.TFP for the state block in local `st`; `tmp` is an i32 scratch local. */
export function emitFpDisabled(f: FunctionBuilder, st: number, tmp: number): void {
  f.localGet(st).mem(MemOp.i32_load, FP_ACCESS_WORDS.cpacrLow).i32Const(20).op(Op.i32_shr_u).i32Const(3).op(Op.i32_and)
    .localTee(tmp).i32Const(3).op(Op.i32_ne)
    .localGet(tmp).i32Const(1).op(Op.i32_ne).localGet(st).mem(MemOp.i32_load, St.EL).op(Op.i32_eqz).op(Op.i32_or)
    .op(Op.i32_and)
    .localGet(st).mem(MemOp.i32_load, FP_ACCESS_WORDS.cptrLow).i32Const(FP_ACCESS_WORDS.tfpBit).op(Op.i32_and)
    .op(Op.i32_or);
}
