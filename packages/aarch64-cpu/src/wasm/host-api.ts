/**
 * The parts of the host's WebAssembly JavaScript API the package uses, typed here: the package compiles against
 * ES2022 without the DOM library, which is where TypeScript declares `WebAssembly`, and its published declarations
 * must not depend on a consumer's choice of libraries.
 */

/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

/** A compiled `WebAssembly.Module`. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A `WebAssembly.Instance`. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** Imports for instantiation: module name → field name → value. */
export type WasmImports = Record<string, Record<string, unknown>>;

/** The `WebAssembly` namespace, as far as the package uses it. */
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/** The host's WebAssembly API, or undefined on a host without one. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}
