/** Test support: build and instantiate one-function modules with the emitter. */

import { ModuleBuilder } from '../module-builder.js';
import type { FunctionBuilder } from '../function-builder.js';
import type { ValType } from '../types.js';
import { instantiate } from './wasm-api.js';

const shared = new ModuleBuilder();

/**
 * Builds a module with one exported function `f` of `params -> results` whose body is `emit`, instantiates it and
 * returns `f`. The builder is shared and reset for each call (so the tests also exercise reuse).
 */
export function wasmFunction<F extends (...args: never[]) => unknown>(
  params: ValType[], results: ValType[], emit: (f: FunctionBuilder, m: ModuleBuilder) => void,
): F {
  shared.reset();
  const f = shared.beginFunction({ typeIndex: shared.type(params, results) });
  emit(f, shared);
  shared.exportFunction('f', shared.endFunction());
  return instantiate(shared.finish()).f as F;
}
