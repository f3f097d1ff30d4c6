/**
 * Test support: the part of the host's WebAssembly JS API the emitter's tests use. The package compiles against
 * ES2022 + Node types, which do not declare `WebAssembly`, so the tests reach it through `globalThis` with these
 * minimal types instead of adding a global declaration to the package.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export interface WasmTable {
  readonly length: number;
  get(index: number): unknown;
}

export interface WasmGlobal {
  value: unknown;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Table: new (descriptor: { element: 'anyfunc'; initial: number; maximum?: number }) => WasmTable;
  Global: new (descriptor: { value: string; mutable?: boolean }, value?: unknown) => WasmGlobal;
  CompileError: new (message?: string) => Error;
}

/** The host's WebAssembly API. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compiles and instantiates `bytes` synchronously (test modules are small) and returns the exports. */
export function instantiate(bytes: Uint8Array, imports?: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return new wasm.Instance(new wasm.Module(bytes), imports).exports;
}

/** The compile error message for `bytes`, or undefined when they validate. */
export function compileError(bytes: Uint8Array): string | undefined {
  try {
    new wasm.Module(bytes);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
