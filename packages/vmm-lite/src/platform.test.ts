// The Platform (platform.ts): Node's and the web one, the JavaScript SHA-256 against node:crypto, what a platform
// without gunzip/deflate refuses, and a machine using the platform it is given.
import { createHash } from 'node:crypto';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PlatformError, VmmError } from './errors.js';
import { encodePng } from './framebuffer-png.js';
import { gunzipKernel } from './image.js';
import { VirtMachine } from './machine.js';
import { defaultPlatform, nodePlatform, webPlatform, type Platform } from './platform.js';
import { runVirt } from './run.js';
import { Sha256Js } from './sha256.js';
import { decodeContainer, encodeSnapshot, sha256Hex, type SnapshotHeader } from './snapshot-format.js';
import { A64, PSCI_SYSTEM_OFF, printCode, psciCode } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('SHA-256 in JavaScript (sha256.ts)', () => {
  it('agrees with node:crypto at every padding boundary and however the input is split', () => {
    const lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129, 1000, 4096, 100_003];
    for (const len of lengths) {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 167 + len * 13) & 0xff);
      const whole = new Sha256Js();
      whole.update(data);
      expect(hex(whole.digest()), `length ${len}`).toBe(nodeSha(data));
      const split = new Sha256Js();
      for (let o = 0, step = 1; o < len; o += step, step = (step * 7 + 3) % 131 + 1) split.update(data.subarray(o, o + step));
      expect(hex(split.digest()), `length ${len} in pieces`).toBe(nodeSha(data));
    }
    expect(hex(new Sha256Js().digest())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'); // FIPS 180-4: ""
    const abc = new Sha256Js();
    abc.update(new TextEncoder().encode('abc'));
    expect(hex(abc.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'); // FIPS 180-4 example
  });

  it('refuses to be used after its digest', () => {
    const h = new Sha256Js();
    h.digest();
    expect(() => h.digest()).toThrow('digest taken twice');
    expect(() => h.update(new Uint8Array(1))).toThrow('update after digest');
  });
});

describe('platforms', () => {
  it('on Node the default is Node\'s: node:zlib and node:crypto', async () => {
    expect(defaultPlatform().name).toBe('node');
    const p = nodePlatform();
    const data = new TextEncoder().encode('vmm-lite '.repeat(100));
    expect(p.gunzip!(gzipSync(data), 1 << 20)).toEqual(data);
    expect(() => p.gunzip!(gzipSync(data), 10)).toThrow(); // beyond maxOutputLength
    expect(new Uint8Array(inflateSync(p.deflate!(data)))).toEqual(data);
    const h = p.createSha256();
    h.update(data);
    expect(hex(h.digest())).toBe(nodeSha(data));
    await p.yield();
  });

  it('the web platform: SHA-256 in JavaScript, a yield through a MessageChannel or else a timer, no gunzip or deflate', async () => {
    const p = webPlatform();
    expect(p.name).toBe('web');
    expect(p.gunzip).toBeUndefined();
    expect(p.deflate).toBeUndefined();
    expect(p.createSha256()).toBeInstanceOf(Sha256Js);
    await p.yield();
    const g = globalThis as { MessageChannel?: unknown };
    const saved = g.MessageChannel;
    try {
      g.MessageChannel = undefined;
      await p.yield(); // setTimeout
    } finally {
      g.MessageChannel = saved;
    }
  });

  it('without gunzip or deflate: one-line PlatformErrors (VmmErrors) naming what is missing', () => {
    const web = webPlatform();
    const gz = new Uint8Array(gzipSync(new Uint8Array(64)));
    const e = (() => {
      try {
        gunzipKernel(gz, web);
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(PlatformError);
    expect(e).toBeInstanceOf(VmmError);
    expect(e).toMatchObject({ name: 'PlatformError', capability: 'gunzip', platform: 'web' });
    expect((e as Error).message).toBe('gunzip is not available on the web platform: a gzip-compressed kernel needs it: decompress the kernel first, or give the machine a platform with gunzip');
    expect(() => encodePng(1, 1, new Uint8Array(4), web)).toThrow(/^deflate is not available on the web platform: a PNG screenshot needs it/);
    // Bad input is still what it was: a RangeError before the platform is asked, a VmmError for a bad gzip file.
    expect(() => encodePng(0, 1, new Uint8Array(0), web)).toThrow(RangeError);
    expect(() => gunzipKernel(Uint8Array.of(0x1f, 0x8b, 1, 2, 3))).toThrow(/^invalid gzip-compressed kernel: /);
  });

  it('a web platform given its own gunzip and deflate (here node:zlib) loads gzipped kernels and makes PNGs', async () => {
    const custom: Platform = {
      ...webPlatform(),
      gunzip: (b, max) => new Uint8Array(gunzipSync(b, { maxOutputLength: max })),
      deflate: (b) => new Uint8Array(deflateSync(b)),
    };
    const kernel = codeElf([...printCode('gz\n'), ...psciCode(PSCI_SYSTEM_OFF)]);
    // A gzip file is an Image or raw kernel (an ELF is not unpacked): wrap a raw binary of the same code.
    const raw = kernel.subarray(64 + 56);
    const r = await runVirt({ kernel: new Uint8Array(gzipSync(raw)), platform: custom, memory: 16 << 20 });
    expect(r.outcome).toBe('shutdown');
    expect(Buffer.from(r.serial).toString('latin1')).toBe('gz\n');
    expect(encodePng(2, 1, new Uint8Array(8), custom)).toEqual(encodePng(2, 1, new Uint8Array(8), nodePlatform()));
  });

  it('the machine yields through its platform between rounds', async () => {
    let yields = 0;
    const counting: Platform = { ...nodePlatform(), name: 'counting', yield: () => { yields++; return Promise.resolve(); } };
    const m = new VirtMachine({ platform: counting, memory: 16 << 20 });
    expect(m.platform).toBe(counting);
    m.load({ kernel: codeElf([A64.addi(0, 0, 1), A64.b(-4)]) });
    const r = await m.run({ maxInstructions: 250_001, slice: 100_000 });
    expect(r.outcome).toBe('instruction-limit');
    expect(yields).toBe(2); // three rounds
  });

  it('snapshot files are the same bytes on both platforms, and either checks the other\'s', () => {
    const header: SnapshotHeader = {
      memory: 4096, smp: 1, mte: true, policy: 'mte-allowed', memBackend: 'anonymous', protMte: false,
      kernelSha256: sha256Hex(new Uint8Array(3), webPlatform()), tagsVia: 'copy-tags', instructions: 7, ramBase: 0x4000_0000,
    };
    expect(header.kernelSha256).toBe(sha256Hex(new Uint8Array(3), nodePlatform()));
    const sections = [{ kind: 'DEVS' as const, index: 0, payload: new TextEncoder().encode('{"devices":{}}') }];
    const web = encodeSnapshot(header, sections, webPlatform());
    const node = encodeSnapshot(header, sections, nodePlatform());
    expect(web).toEqual(node);
    expect(decodeContainer(node, webPlatform()).header).toEqual(header);
    expect(decodeContainer(web, nodePlatform()).header).toEqual(header);
    const bad = web.slice();
    bad[bad.length - 1]! ^= 1;
    expect(() => decodeContainer(bad, webPlatform())).toThrow('file checksum (SHA-256) mismatch');
  });
});
