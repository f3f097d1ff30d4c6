/**
 * The Node implementation of the Platform (platform.ts), and Node's file system for the file-backed snapshot helpers.
 *
 * Node's built-in modules are looked up when needed with `process.getBuiltinModule` (Node 20.16 and later; vmm-lite
 * needs 20.19), never imported: a static `import ... from 'node:zlib'` anywhere in the library would stop it from
 * bundling for a browser (src/browser-bundle.test.ts checks that none is left). The types below are the parts of
 * Node's modules used here, written out so the library's types do not depend on @types/node either.
 */
import { PlatformError } from './errors.js';
import type { Platform } from './platform.js';
import type { Sha256Hash } from './sha256.js';

interface NodeZlib {
  gunzipSync(bytes: Uint8Array, options: { maxOutputLength: number }): Uint8Array;
  deflateSync(bytes: Uint8Array): Uint8Array;
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(bytes: Uint8Array): unknown; digest(): Uint8Array };
}

interface NodeTimers {
  setImmediate(f: () => void): unknown;
}

/** The parts of node:fs FileSource, writeSnapshotFile and the virtio-blk disk file (virtio-blk-disk.ts) use. */
export interface NodeFs {
  openSync(path: string, flags: 'r' | 'w' | 'r+'): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number; isDirectory(): boolean; isFile(): boolean };
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number): number;
  fdatasyncSync(fd: number): void;
}

interface NodeBuiltins {
  'node:zlib': NodeZlib;
  'node:crypto': NodeCrypto;
  'node:timers': NodeTimers;
  'node:fs': NodeFs;
}

type GetBuiltinModule = (id: string) => unknown;

function getBuiltinModule(): GetBuiltinModule | undefined {
  const f = (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule;
  return typeof f === 'function' ? (f as GetBuiltinModule) : undefined;
}

/** Whether the host offers Node's built-in modules (Node, or a runtime that implements them). */
export function hasNodeBuiltins(): boolean {
  return getBuiltinModule() !== undefined;
}

/** A Node built-in module; a PlatformError (`why`: what needed it) when the host has none. */
export function nodeBuiltin<K extends keyof NodeBuiltins>(id: K, why: string): NodeBuiltins[K] {
  const m = getBuiltinModule()?.(id) as NodeBuiltins[K] | undefined;
  if (m === undefined) throw new PlatformError(id, 'web', why);
  return m;
}

/**
 * Node's platform: setImmediate to yield (stdin, signals and timers run between rounds), node:crypto's SHA-256,
 * node:zlib's gunzip and deflate. A PlatformError outside Node.
 */
export function nodePlatform(): Platform {
  const why = 'nodePlatform() needs Node 20.16 or later (process.getBuiltinModule): use webPlatform() here';
  const zlib = nodeBuiltin('node:zlib', why);
  const crypto = nodeBuiltin('node:crypto', why);
  const { setImmediate } = nodeBuiltin('node:timers', why);
  return {
    name: 'node',
    yield: () => new Promise<void>((resolve) => { setImmediate(resolve); }),
    createSha256: (): Sha256Hash => {
      const h = crypto.createHash('sha256');
      return {
        update: (bytes) => { h.update(bytes); },
        digest: () => new Uint8Array(h.digest()),
      };
    },
    gunzip: (bytes, maxOutputLength) => new Uint8Array(zlib.gunzipSync(bytes, { maxOutputLength })),
    deflate: (bytes) => new Uint8Array(zlib.deflateSync(bytes)),
  };
}
