#!/usr/bin/env node
// Test support (browser-bundle.test.ts): run an ES module bundle in a V8 context that has only the globals of a
// browser worker, none of Node's (no process, require, Buffer, setImmediate, global, module), and no code generation
// from strings (eval, new Function), then call one of its exported functions.
//
//   node --experimental-vm-modules --no-warnings browser-sandbox.mjs < input.json
//
// input: { bundle: ES module source, call: the name of an exported (async) function, data: JSON, its argument }.
// The bundle may import nothing (a browser bundle is self-contained: the linker refuses every specifier) and a
// dynamic import() fails (no importModuleDynamically). `data` is decoded inside the context, so its arrays are the
// context's own; the function's result is written to stdout as JSON. Exit status 0, or 1 with the error on stderr.
import vm from 'node:vm';
import { text } from 'node:stream/consumers';

if (typeof vm.SourceTextModule !== 'function') {
  console.error('browser-sandbox: run node with --experimental-vm-modules');
  process.exit(2);
}

const input = JSON.parse(await text(process.stdin));

// Web-standard globals a worker has, taken from Node. Values that cross between realms are plain (numbers,
// strings, callbacks); TextEncoder/TextDecoder are wrapped below so their bytes are the context's Uint8Arrays (as
// in a browser, where there is one realm: the library's `instanceof Uint8Array` checks depend on it).
const web = {
  console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, MessageChannel, performance,
  structuredClone, atob, btoa, crypto, URL, AbortController, EventTarget, Event,
};
// Code generation as a page whose Content-Security-Policy allows 'wasm-unsafe-eval' but not 'unsafe-eval': compiling
// WebAssembly works, eval and new Function throw EvalError (the library must not need them).
const context = vm.createContext({ ...web, HostTextEncoder: TextEncoder, HostTextDecoder: TextDecoder },
  { codeGeneration: { strings: false, wasm: true } });
vm.runInContext(`
  globalThis.self = globalThis;
  {
    const E = HostTextEncoder, D = HostTextDecoder;
    globalThis.TextEncoder = class TextEncoder {
      #e = new E();
      get encoding() { return 'utf-8'; }
      encode(s = '') { return new Uint8Array(this.#e.encode(s)); }
      encodeInto(s, dest) { return this.#e.encodeInto(s, dest); }
    };
    globalThis.TextDecoder = class TextDecoder {
      #d;
      constructor(label, options) { this.#d = new D(label, options); }
      get encoding() { return this.#d.encoding; }
      decode(bytes, options) { return this.#d.decode(bytes, options); }
    };
  }
  delete globalThis.HostTextEncoder;
  delete globalThis.HostTextDecoder;
`, context);

try {
  const bundle = new vm.SourceTextModule(input.bundle, { identifier: 'bundle.js', context });
  await bundle.link((specifier) => {
    throw new Error(`the bundle imports '${specifier}': a browser bundle must be self-contained`);
  });
  await bundle.evaluate();
  const data = vm.runInContext('JSON.parse', context)(JSON.stringify(input.data));
  const f = bundle.namespace[input.call];
  if (typeof f !== 'function') throw new Error(`the bundle exports no function '${input.call}'`);
  const result = await f(data);
  process.stdout.write(JSON.stringify(result));
} catch (e) {
  // Errors thrown in the context are the context's Error: print what they say.
  console.error(e !== null && typeof e === 'object' && 'stack' in e ? String(e.stack) : String(e));
  process.exitCode = 1;
}
