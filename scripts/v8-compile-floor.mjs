// node [--v8-pool-size=1] scripts/v8-compile-floor.mjs [--functions N] [--per-module M] [--bytes B]
//
// What this Node's V8 charges for a WebAssembly function before it has done any work: N functions of about B bytes
// of code each (i64 loads, adds and stores on an imported memory, the shape of a translated block's body), M to a
// module, each module compiled (`new WebAssembly.Module`), instantiated and every function called once (where lazy
// compilation runs Liftoff). Prints one JSON line: the totals and the microseconds a function. A measurement for
// docs/performance.md (the twenty-fifth session's floor of a compile-every-block design), not part of the tests.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { functions: { type: 'string', default: '20000' }, 'per-module': { type: 'string', default: '16' }, bytes: { type: 'string', default: '300' } },
});
const count = Number(values.functions);
const perModule = Number(values['per-module']);
const bodyBytes = Number(values.bytes);
for (const [flag, v] of [['--functions', count], ['--per-module', perModule], ['--bytes', bodyBytes]]) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`v8-compile-floor: ${flag} wants a positive integer, not ${values[flag.slice(2)]}`);
    process.exit(2);
  }
}

/** Unsigned LEB128. */
function uleb(n) {
  const out = [];
  for (;;) {
    const low = n & 0x7f;
    n >>>= 7;
    if (n === 0) return [...out, low];
    out.push(low | 0x80);
  }
}

/** Signed LEB128 of a small integer. */
function sleb(n) {
  const out = [];
  for (;;) {
    const low = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (low & 0x40) === 0) || (n === -1 && (low & 0x40) !== 0);
    if (done) return [...out, low];
    out.push(low | 0x80);
  }
}

const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const vector = (items) => [...uleb(items.length), ...items.flat()];
const name = (s) => [...uleb(s.length), ...Buffer.from(s)];

/** A function body `(param i32) (result i32)` with four i64 locals: load, add a constant, store, until `bytes`. */
function body(bytes, seed) {
  const code = [];
  for (let k = 0; code.length < bytes; k++) {
    const local = 1 + (k & 3);
    const offset = ((k + seed) * 8) & 0xff8;
    code.push(0x20, 0, 0x29, 3, ...uleb(offset)); // local.get 0; i64.load
    code.push(0x42, ...sleb(k * 7 + seed), 0x7c, 0x21, local); // i64.const; i64.add; local.set
    code.push(0x20, 0, 0x20, local, 0x37, 3, ...uleb((offset + 8) & 0xff8)); // i64.store
  }
  const fn = [1, 4, 0x7e, ...code, 0x20, 0, 0x0b];
  return [...uleb(fn.length), ...fn];
}

/** A module of `n` such functions, exported as f0..f(n-1), importing env.mem. */
function moduleBytes(n, seed) {
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vector([[0x60, 1, 0x7f, 1, 0x7f]])),
    ...section(2, vector([[...name('env'), ...name('mem'), 2, 0, 1]])),
    ...section(3, vector(Array.from({ length: n }, () => [0]))),
    ...section(7, vector(Array.from({ length: n }, (_, i) => [...name(`f${i}`), 0, ...uleb(i)]))),
    ...section(10, vector(Array.from({ length: n }, (_, i) => body(bodyBytes, seed + i)))),
  ]);
}

const mem = new WebAssembly.Memory({ initial: 1 });
const modules = [];
for (let done = 0; done < count; done += perModule) modules.push(moduleBytes(Math.min(perModule, count - done), done));
const t0 = performance.now();
let sum = 0;
for (const bytes of modules) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
  for (const f of Object.values(exports)) sum += f(0);
}
const ms = performance.now() - t0;
const total = modules.reduce((a, m) => a + m.length, 0);
console.log(JSON.stringify({ functions: count, perModule, bodyBytes, moduleBytes: total, ms: Math.round(ms), usPerFunction: +(ms * 1000 / count).toFixed(1), check: sum }));
