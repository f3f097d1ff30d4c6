import { CoreReg, KVM_ARM_TAGS_FROM_GUEST, arm64SysReg } from '@kvm-mte/kvm-core';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { decodeContainer, sha256Hex, SnapshotError } from './snapshot-format.js';
import { cli, dec, guest } from './testing/cli.js';

const TFSR_EL1 = arm64SysReg(3, 0, 5, 6, 0);
const VBAR_EL1 = arm64SysReg(3, 0, 12, 0, 0);

function allTags(m: VirtMachine): Uint8Array {
  const buf = new Uint8Array(m.ramSize / 16);
  m.vm.armMteCopyTags({ guestIpa: BigInt(m.ramBase), length: m.ramSize, buffer: buf, flags: KVM_ARM_TAGS_FROM_GUEST });
  return buf;
}

describe('CLI: run --stop-after N --snapshot-out F, then restore, prints what one run prints', () => {
  for (const [name, points] of [['mte', [1, 5000, 60_000, 133_000, 150_000]], ['el0', [3, 15_000]], ['mmu', [90_000]], ['arith', [40_000]], ['loadstore', [30_000]]] as const) {
    it(name, async () => {
      const files = new Map<string, Uint8Array>();
      const whole = await cli(['run', '--kernel', `${name}.elf`, '--memory', '32M'], files);
      expect(whole.status).toBe(0);
      for (const n of points) {
        const a = await cli(['run', '--kernel', `${name}.elf`, '--memory', '32M', '--stop-after', String(n), '--snapshot-out', 's.snap'], files);
        expect(a.status).toBe(0);
        expect(a.stderr).toMatch(/^vmm-lite: snapshot written to 's.snap': \d+ bytes; memory 33554432 raw -> \d+ stored/);
        const b = await cli(['restore', '--snapshot', 's.snap'], files);
        expect({ n, out: a.stdout + b.stdout, status: b.status }).toEqual({ n, out: whole.stdout, status: 0 });
      }
    });
  }

  it('snapshot command, --json summaries, a stop on request (SIGUSR1 / Ctrl-\\), and restore then snapshot again', async () => {
    const files = new Map<string, Uint8Array>();
    const whole = await cli(['run', '--kernel', 'svc.elf'], files);
    const a = await cli(['snapshot', '--kernel', 'svc.elf', '--snapshot-out', 'r.snap', '--json'], files, { request: true });
    expect(a.status).toBe(0);
    const sum = JSON.parse(a.stderr) as { outcome: string; snapshot: { instructions: number; sizes: { file: number } } };
    expect(sum.outcome).toBe('snapshot');
    expect(sum.snapshot.instructions).toBe(0);
    // Restore, stop again after 4000 instructions, restore that.
    const b = await cli(['restore', '--snapshot', 'r.snap', '--stop-after', '4000', '--snapshot-out', 'r2.snap'], files);
    expect(b.status).toBe(0);
    const c = await cli(['restore', '--snapshot', 'r2.snap', '--json'], files);
    expect(a.stdout + b.stdout + c.stdout).toBe(whole.stdout);
    expect(JSON.parse(c.stderr)).toMatchObject({ command: 'restore', outcome: 'shutdown', status: 0 });
    expect(decodeSnapshot(files.get('r2.snap')!).header.instructions).toBeGreaterThanOrEqual(4000);
    const d = await cli(['snapshot', '--kernel', 'svc.elf'], files);
    expect(d).toMatchObject({ status: 1, stderr: 'vmm-lite: missing --snapshot-out FILE\n' });
  });

  it('bad values are one-line errors', async () => {
    const files = new Map<string, Uint8Array>();
    for (const [argv, line] of [
      [['run', '--kernel', 'hello.elf', '--policy', 'yolo'], "invalid --policy 'yolo': expected one of transparent-upgrade, enforce-prot-mte, mte-allowed, no-tag-access"],
      [['run', '--kernel', 'hello.elf', '--mem-backend', 'device'], "invalid --mem-backend 'device': expected anonymous or shared"],
      [['run', '--kernel', 'hello.elf', '--tags-via', 'x'], "invalid --tags-via 'x': expected copy-tags or mapping"],
      [['run', '--kernel', 'hello.elf', '--stop-after', '0'], "invalid --stop-after '0': expected a whole number from 1 to 2^53-1"],
      [['run', '--kernel', 'hello.elf', '--stop-after', '5'], '--stop-after needs --snapshot-out FILE (to just stop, use --max-instructions)'],
      [['restore'], 'restore needs a snapshot file: `vmm-lite restore FILE`'],
      [['restore', '--snapshot', 'nope.snap'], "cannot read snapshot 'nope.snap': no such file"],
      [['inspect'], 'inspect needs a snapshot file: `vmm-lite inspect FILE`'],
      [['run', '--kernel', 'hello.elf', '--policy', 'enforce-prot-mte'], 'cannot build the machine with --policy enforce-prot-mte --mem-backend anonymous --no-prot-mte: EINVAL: memslot 0: an MTE VM under enforce-prot-mte needs a PROT_MTE mapping'],
    ] as const) {
      const r = await cli([...argv], files);
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n').length).toBe(2);
      expect(r.stderr).toContain(line);
    }
  });

  it('policies and backends run the guest the same (with --prot-mte for enforce-prot-mte)', async () => {
    const files = new Map<string, Uint8Array>();
    const whole = await cli(['run', '--kernel', 'mte.elf'], files);
    for (const extra of [['--policy', 'transparent-upgrade'], ['--policy', 'enforce-prot-mte', '--prot-mte'], ['--policy', 'no-tag-access'], ['--mem-backend', 'shared', '--prot-mte']]) {
      const r = await cli(['run', '--kernel', 'mte.elf', ...extra], files);
      expect({ extra, out: r.stdout, status: r.status }).toEqual({ extra, out: whole.stdout, status: 0 });
    }
  });
});

describe('snapshot and restore take stdin as run does', () => {
  const text = (t: string): Uint8Array => new TextEncoder().encode(t);

  it('a restored echo guest echoes what is typed (bytes, then EOF), and together the two runs print what one run prints', async () => {
    const files = new Map<string, Uint8Array>();
    const whole = await cli(['run', '--kernel', 'echo.elf'], files, { input: text('kvm-mte\x04') });
    expect(whole.stdout).toContain('bytes=0000000000000007');
    // Stopped before it reads anything (the input given to the snapshot command is not read: none is typed there).
    const a = await cli(['snapshot', '--kernel', 'echo.elf', '--stop-after', '200', '--snapshot-out', 'e.snap'], files, { input: text('') });
    expect(a.status).toBe(0);
    const b = await cli(['restore', 'e.snap'], files, { input: text('kvm-mte\x04') });
    expect({ out: a.stdout + b.stdout, status: b.status }).toEqual({ out: whole.stdout, status: 0 });
    // Without input the restored guest waits, then times out as the echo guest does with nothing typed.
    const c = await cli(['restore', 'e.snap'], files);
    expect(c.stdout).toContain('echo: idle');
  });

  it('Ctrl-A x on a terminal leaves a snapshot command with status 6 and no snapshot (SIGUSR1 and Ctrl-\\ are its triggers)', async () => {
    const files = new Map<string, Uint8Array>();
    const modes: boolean[] = [];
    const tty = Object.assign(new EventEmitter(), { isTTY: true, isRaw: false, setRawMode: (r: boolean) => modes.push(r) });
    setTimeout(() => tty.emit('data', Uint8Array.of(0x01, 0x78)), 50);
    const r = await cli(['snapshot', '--kernel', 'echo.elf', '--snapshot-out', 'x.snap'], files, { input: tty });
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/stopped on request/);
    expect(files.has('x.snap')).toBe(false);
    expect(modes).toEqual([true, false]); // raw while the guest ran, restored after
  });

  it('Ctrl-\\ typed on a terminal (raw: a byte, not SIGQUIT) is the snapshot\'s stop request, as the signal is', async () => {
    const files = new Map<string, Uint8Array>();
    const tty = Object.assign(new EventEmitter(), { isTTY: true, isRaw: false, setRawMode: () => {} });
    setTimeout(() => tty.emit('data', Uint8Array.of(0x1c)), 50);
    const r = await cli(['snapshot', '--kernel', 'echo.elf', '--snapshot-out', 'q.snap', '--json'], files, { input: tty });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stderr)).toMatchObject({ outcome: 'snapshot' });
    expect(decodeSnapshot(files.get('q.snap')!).header.instructions).toBeGreaterThan(0);
  });
});

describe('a restored machine stops at a small limit', () => {
  // At this point of mte.elf the next instruction's fetch needs stage-2 pages a fresh (restored) machine has not
  // mapped yet; each fill used to eat the whole budget of 1, so the run retired nothing and was called stalled.
  it('restore --max-instructions 1 and --stop-after 1 stop after one instruction', async () => {
    const files = new Map<string, Uint8Array>();
    expect((await cli(['run', '--kernel', 'mte.elf', '--memory', '2M', '--stop-after', '150000', '--snapshot-out', 'm.snap'], files)).status).toBe(0);
    expect(await cli(['restore', '--snapshot', 'm.snap', '--max-instructions', '1'], files))
      .toMatchObject({ status: 3, stderr: 'vmm-lite: instruction limit reached (1 instructions)\n' });
    const b = await cli(['restore', '--snapshot', 'm.snap', '--stop-after', '1', '--snapshot-out', 'm1.snap'], files);
    expect(b.status).toBe(0);
    expect(b.stderr).toMatch(/^vmm-lite: snapshot written to 'm1.snap'/);
    expect(decodeSnapshot(files.get('m1.snap')!).header.instructions).toBe(decodeSnapshot(files.get('m.snap')!).header.instructions + 1);
  });
});

describe('restore --tags-via mapping without PROT_MTE', () => {
  it('warns that the snapshot\'s tags are lost (as saving does); not with --prot-mte or COPY_TAGS', async () => {
    const files = new Map<string, Uint8Array>();
    expect((await cli(['run', '--kernel', 'mte.elf', '--memory', '2M', '--stop-after', '150000', '--snapshot-out', 't.snap'], files)).status).toBe(0);
    const warning = "vmm-lite: warning: tags were written through the VMM's mapping without PROT_MTE, which ignores them: the snapshot's tags (1 tagged pages) are lost, the guest finds zero tags\n";
    const lost = await cli(['restore', 't.snap', '--tags-via', 'mapping'], files);
    expect(lost.stderr.startsWith(warning)).toBe(true);
    expect(lost.stderr.split('\n').filter((l) => l.includes('warning'))).toHaveLength(1);
    for (const extra of [['--tags-via', 'mapping', '--prot-mte'], [], ['--tags-via', 'copy-tags']]) {
      const r = await cli(['restore', 't.snap', ...extra], files);
      expect({ extra, status: r.status, stderr: r.stderr }).toEqual({ extra, status: 0, stderr: '' });
    }
  });
});

describe('tags across save/restore', () => {
  async function stopped(n: number, protMte = false): Promise<{ m: VirtMachine; kernel: Uint8Array }> {
    const kernel = guest('mte');
    const m = new VirtMachine({ memory: 16 * 2 ** 20, protMte });
    m.load({ kernel });
    await m.run({ maxInstructions: n });
    return { m, kernel };
  }
  const cfg = (kernel: Uint8Array, protMte = false) => ({ policy: 'mte-allowed' as const, memBackend: 'anonymous' as const, protMte, kernelSha256: sha256Hex(kernel) });

  it('COPY_TAGS (default) keeps every tag; the mapping without PROT_MTE loses them all (the RFC warning); with PROT_MTE keeps them', async () => {
    const { m, kernel } = await stopped(150_000);
    const before = allTags(m);
    expect(before.some((t) => t !== 0)).toBe(true);
    for (const [via, protMte, kept] of [['copy-tags', false, true], ['mapping', false, false], ['mapping', true, true]] as const) {
      const src = protMte ? (await stopped(150_000, true)).m : m;
      const { file, sizes } = saveSnapshot(src, { config: cfg(kernel, protMte), tagsVia: via });
      const snap = decodeSnapshot(file);
      const m2 = new VirtMachine(restoreMachineOptions(snap));
      restoreSnapshot(m2, snap);
      const after = allTags(m2);
      if (kept) {
        expect(after).toEqual(before);
        expect(sizes.taggedPages).toBeGreaterThan(0);
      } else {
        expect(after.every((t) => t === 0)).toBe(true);
        expect(sizes.taggedPages).toBe(0);
      }
    }
  });

  it('a stop with an asynchronous tag fault pending (TFSR_EL1 != 0) and a stop inside an exception handler', async () => {
    const kernel = guest('mte');
    const full = new VirtMachine({ memory: 16 * 2 ** 20 });
    full.load({ kernel });
    const whole = dec((await full.run()).serial);
    // Walk the guest to the points of interest.
    const m = new VirtMachine({ memory: 16 * 2 ** 20 });
    m.load({ kernel });
    let tfsrAt = 0;
    let vectorAt = 0;
    for (let n = 1; n < 170_000 && (tfsrAt === 0 || vectorAt === 0); n++) {
      const r = await m.run({ maxInstructions: n, detectLoops: false });
      if (r.outcome !== 'instruction-limit') break;
      const v = m.vcpus[0]!;
      if (tfsrAt === 0 && v.getOneReg(TFSR_EL1) !== 0n) tfsrAt = n;
      const pc = v.getOneReg(CoreReg.PC);
      const vbar = v.getOneReg(VBAR_EL1);
      if (vectorAt === 0 && vbar !== 0n && pc >= vbar && pc < vbar + 0x800n) vectorAt = n + 3;
    }
    expect(tfsrAt).toBeGreaterThan(0);
    expect(vectorAt).toBeGreaterThan(0);
    for (const n of [tfsrAt, vectorAt]) {
      const a = new VirtMachine({ memory: 16 * 2 ** 20 });
      a.load({ kernel });
      const r1 = await a.run({ maxInstructions: n });
      const snap = decodeSnapshot(saveSnapshot(a, { config: cfg(kernel) }).file);
      if (n === tfsrAt) expect(snap.vcpus[0]!.regs.find(([id]) => id === TFSR_EL1)![1]).not.toBe(0n);
      const b = new VirtMachine(restoreMachineOptions(snap));
      restoreSnapshot(b, snap);
      const r2 = await b.run();
      expect(dec(r1.serial) + dec(r2.serial)).toBe(whole);
    }
  });
});

describe('refusing bad snapshots, before any guest state is touched', () => {
  it('every bit flip (in every section, the header and the trailer) and every truncation is refused with one line', async () => {
    const files = new Map<string, Uint8Array>();
    await cli(['run', '--kernel', 'mte.elf', '--memory', '1M', '--stop-after', '150000', '--snapshot-out', 'ok.snap'], files);
    const good = files.get('ok.snap')!;
    const { layout } = decodeContainer(good);
    const points = new Set<number>([0, 5, 8, 12, 16, 16 + Math.floor(layout.header.length / 2), layout.header.offset + layout.header.length + 2, layout.trailer, layout.trailer + 31, good.length - 1]);
    for (const s of layout.sections) {
      for (const off of [s.offset, s.offset + 4, s.offset + 8, s.offset + 16, s.payloadOffset, s.payloadOffset + Math.floor(s.length / 2), s.payloadOffset + s.length - 1]) points.add(off);
    }
    for (const p of points) {
      for (const bit of [0, 7]) {
        const bad = good.slice();
        bad[p]! ^= 1 << bit;
        expect(() => decodeSnapshot(bad), `flip at ${p} bit ${bit}`).toThrow(SnapshotError);
      }
    }
    const cuts = new Set<number>([0, 4, 8, 15, 16, layout.header.offset + layout.header.length, layout.trailer, good.length - 1]);
    for (const s of layout.sections) for (const off of [s.offset, s.offset + 10, s.payloadOffset, s.payloadOffset + Math.floor(s.length / 2)]) cuts.add(off);
    for (const c of cuts) expect(() => decodeSnapshot(good.subarray(0, c)), `cut at ${c}`).toThrow(SnapshotError);
    // Through the CLI: one line, status 1, and the guest never ran (no output).
    const flipped = good.slice();
    flipped[layout.sections.find((s) => s.kind === 'TAGS')!.payloadOffset + 9]! ^= 0x10;
    files.set('bad.snap', flipped);
    expect(await cli(['restore', '--snapshot', 'bad.snap'], files)).toEqual({ status: 1, stdout: '', stderr: "vmm-lite: cannot restore 'bad.snap': snapshot is corrupt: section \"TAGS\" 0 checksum mismatch\n" });
    files.set('cut.snap', good.subarray(0, layout.sections[1]!.offset + 3));
    expect((await cli(['restore', '--snapshot', 'cut.snap'], files)).stderr).toMatch(/^vmm-lite: cannot restore 'cut\.snap': snapshot is truncated: [^\n]+\n$/);
    const v3 = good.slice();
    v3[8] = 3;
    files.set('v3.snap', v3);
    expect((await cli(['restore', '--snapshot', 'v3.snap'], files)).stderr).toBe("vmm-lite: cannot restore 'v3.snap': unsupported snapshot format version 3 (this vmm-lite reads versions 1 to 2)\n");
    const magic = good.slice();
    magic[0] = 0x58;
    files.set('m.snap', magic);
    expect((await cli(['restore', '--snapshot', 'm.snap'], files)).stderr).toBe("vmm-lite: cannot restore 'm.snap': not a vmm-lite snapshot (bad magic)\n");
    // Incompatible configuration.
    expect((await cli(['restore', '--snapshot', 'ok.snap', '--memory', '2M'], files)).stderr).toBe("vmm-lite: cannot restore 'ok.snap': snapshot is incompatible: it was taken with --memory 1048576 bytes, this restore asks for 2097152 bytes\n");
    expect((await cli(['restore', '--snapshot', 'ok.snap', '--no-mte'], files)).stderr).toBe("vmm-lite: cannot restore 'ok.snap': snapshot is incompatible: it was taken with MTE on, this restore asks for off\n");
    expect((await cli(['restore', '--snapshot', 'ok.snap', '--kernel', 'hello.elf'], files)).stderr).toBe("vmm-lite: cannot restore 'ok.snap': snapshot is incompatible: it was taken with a different kernel (SHA-256 differs from --kernel)\n");
    expect((await cli(['restore', '--snapshot', 'ok.snap', '--kernel', 'mte.elf'], files)).status).toBe(0);
  });
});

describe('inspect', () => {
  it('prints metadata and tag statistics, as text and JSON', async () => {
    const files = new Map<string, Uint8Array>();
    await cli(['run', '--kernel', 'mte.elf', '--memory', '2M', '--stop-after', '150000', '--snapshot-out', 'i.snap'], files);
    const t = await cli(['inspect', 'i.snap'], files);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/^snapshot i\.snap: vmm-lite snapshot format 1, \d+ bytes\nmachine: memory 2M, smp 1, mte on, policy mte-allowed, backend anonymous, PROT_MTE no\n/);
    expect(t.stdout).toMatch(/\nvcpu 0: runnable, \d+ registers, PC=0x[0-9a-f]+ PSTATE=0x[0-9a-f]+ GCR_EL1=0x[0-9a-f]+ RGSR_EL1=0x[0-9a-f]+ TFSR_EL1=0x[0-9a-f]+ TFSRE0_EL1=0x[0-9a-f]+\n/);
    expect(t.stdout).toMatch(/\ntags: [1-9]\d* tagged pages, [1-9]\d* non-zero tags\ntag histogram: 0:\d+ 1:\d+/);
    const j = await cli(['inspect', 'i.snap', '--json'], files);
    const o = JSON.parse(j.stdout) as { tags: { taggedPages: number; nonZeroTags: number; histogram: number[] }; header: { memory: number } };
    expect(o.header.memory).toBe(2 * 2 ** 20);
    expect(o.tags.histogram.reduce((a, b) => a + b, 0)).toBe(2 * 2 ** 20 / 16);
    expect(o.tags.histogram.slice(1).reduce((a, b) => a + b, 0)).toBe(o.tags.nonZeroTags);
    files.set('junk', new Uint8Array(100));
    expect((await cli(['inspect', 'junk'], files)).stderr).toBe("vmm-lite: cannot inspect 'junk': not a vmm-lite snapshot (bad magic)\n");
  });
});
