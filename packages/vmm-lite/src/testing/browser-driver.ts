/**
 * Test support (browser-bundle.test.ts): what runs in the browser sandbox (browser-sandbox.mjs), bundled together
 * with the library. It boots the guests it is given and reports what happened as plain JSON data. Only the library
 * and web-standard globals may be used here: this module is part of the bundle that is checked for Node modules.
 */
import {
  decodeSnapshot, defaultPlatform, encodePng, FileSource, nodePlatform, PlatformError, restoreMachineOptions, restoreSnapshot,
  runVirt, saveSnapshot, sha256Hex, VirtMachine,
} from '../index.js';

export interface BrowserRunInput {
  /** A guest that prints and powers off. */
  hello: number[];
  /** A guest that loops forever (x0 counting up). */
  loop: number[];
  /** Instructions before the snapshot. */
  split: number;
}

export interface BrowserRunResult {
  /** `typeof` of Node's globals (all 'undefined' in the sandbox). */
  globals: Record<string, string>;
  platform: string;
  run: { outcome: string; serial: string; streamed: string };
  /** `channels`: MessageChannels made while the loop ran (the web platform's yields). */
  loop: { outcome: string; instructions: number; channels: number };
  snapshot: { first: string; firstSerial: string; rest: string; restSerial: string; kernelSha256: string; bytes: number };
  /** `PlatformError: message` for what the web platform lacks. */
  refused: { gzip: string; png: string; nodePlatform: string; fileSource: string };
  /**
   * The name of what an indirect eval threw in the sandbox (as under a CSP without 'unsafe-eval'), while the machine
   * above ran and compiled its hot loop to WebAssembly.
   */
  evalRefused: string;
}

const text = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);
const why = (e: unknown): string => (e instanceof PlatformError ? `${e.name}: ${e.message}` : `not a PlatformError: ${String(e)}`);
function refused(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    return why(e);
  }
}

export async function runInBrowser(data: BrowserRunInput): Promise<BrowserRunResult> {
  const g = globalThis as Record<string, unknown>;
  const hello = Uint8Array.from(data.hello);
  const memory = 16 * 2 ** 20;

  const globals: Record<string, string> = {};
  for (const k of ['process', 'require', 'Buffer', 'setImmediate', 'global', 'module', '__dirname']) globals[k] = typeof g[k];

  // Count the MessageChannels the web platform's yield makes (one a yield).
  const Channel = g.MessageChannel as new () => object;
  const made = { channels: 0 };
  g.MessageChannel = class extends Channel {
    constructor() {
      super();
      made.channels++;
    }
  };

  const streamed: number[] = [];
  const run = await runVirt({ kernel: hello, memory, onSerial: (b) => streamed.push(...b) });
  // Several rounds: the run loop yields between them, and the hot loop is compiled to WebAssembly (the only code the
  // model generates: a page's CSP needs 'wasm-unsafe-eval', never 'unsafe-eval').
  const before = made.channels;
  const loop = await runVirt({ kernel: Uint8Array.from(data.loop), memory, maxInstructions: 2_500_001 });
  const channels = made.channels - before;

  // A snapshot round trip in memory: SHA-256 in JavaScript (sha256.ts), saving and checking the file.
  const m = new VirtMachine({ memory });
  m.load({ kernel: hello });
  const first = await m.run({ maxInstructions: data.split });
  const saved = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(hello) } });
  const snap = decodeSnapshot(saved.file);
  const m2 = new VirtMachine(restoreMachineOptions(snap));
  restoreSnapshot(m2, snap);
  const rest = await m2.run();

  let evalRefused = 'no error';
  try {
    (0, eval)('1');
  } catch (e) {
    evalRefused = (e as Error).name;
  }

  return {
    globals,
    platform: defaultPlatform().name,
    run: { outcome: run.outcome, serial: text(run.serial), streamed: text(Uint8Array.from(streamed)) },
    loop: { outcome: loop.outcome, instructions: loop.instructions, channels },
    snapshot: {
      first: first.outcome, firstSerial: text(first.serial), rest: rest.outcome, restSerial: text(rest.serial),
      kernelSha256: snap.header.kernelSha256, bytes: saved.file.length,
    },
    refused: {
      gzip: await runVirt({ kernel: Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0), memory }).then(() => 'no error', why),
      png: refused(() => encodePng(1, 1, new Uint8Array(4))),
      nodePlatform: refused(() => nodePlatform()),
      fileSource: refused(() => new FileSource('guest.snap')),
    },
    evalRefused,
  };
}
