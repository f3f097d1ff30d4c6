import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from './testing/cli.js';
import { codeElf } from './testing/elf-builder.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('vmm-lite run: framebuffer, screenshot, policy and input options', () => {
  it('--framebuffer WxH with --screenshot writes a PNG of the screen; the policy decides whether the memslot is allowed', async () => {
    const files = new Map<string, Uint8Array>();
    const ok = await cli(['run', '--kernel', 'fb.elf', '--framebuffer', '64x48', '--screenshot', 'fb.png', '--policy', 'no-tag-access'], files);
    expect(ok.status).toBe(0);
    const png = files.get('fb.png')!;
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    const ihdr = new DataView(png.buffer, png.byteOffset + 16, 8);
    expect([ihdr.getUint32(0), ihdr.getUint32(4)]).toEqual([64, 48]);
    // The default policy (mteAllowed) refuses a device framebuffer in an MTE VM, as Linux refuses VM_MTE_ALLOWED-less memory.
    const refused = await cli(['run', '--kernel', 'fb.elf', '--framebuffer', '64x48'], new Map());
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^vmm-lite: .*EINVAL.*\n$/);
    expect(refused.stderr).toContain('policy mte-allowed'); // the name --policy takes, not the TypeScript identifier
    // Without MTE any policy maps it.
    expect((await cli(['run', '--kernel', 'fb.elf', '--framebuffer', '64x48', '--no-mte'], new Map())).status).toBe(0);
  });

  it('--policy, --mem-backend and --prot-mte work on a plain run', async () => {
    const r = await cli(['run', '--kernel', 'tagsum.elf', '--policy', 'enforce-prot-mte', '--prot-mte', '--mem-backend', 'shared'], new Map());
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const refused = await cli(['run', '--kernel', 'tagsum.elf', '--policy', 'enforce-prot-mte'], new Map());
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('cannot build the machine with --policy enforce-prot-mte --mem-backend anonymous --no-prot-mte: EINVAL');
  });

  it('bad framebuffer options are one-line errors', async () => {
    for (const [argv, line] of [
      [['--framebuffer', '0x5'], "invalid --framebuffer '0x5': expected WIDTHxHEIGHT, each from 1 to 4096"],
      [['--framebuffer', '640'], "invalid --framebuffer '640'"],
      [['--screenshot', 'a.png'], '--screenshot needs --framebuffer WxH'],
      [['--framebuffer', '8x8', '--snapshot-out', 's.snap', '--stop-after', '10'], '--framebuffer cannot be combined with snapshot options'],
    ] as const) {
      const r = await cli(['run', '--kernel', 'fb.elf', ...argv], new Map());
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr).toContain(line);
    }
  });

  it('input reaches the guest UART (the echo guest echoes it back)', async () => {
    const r = await cli(['run', '--kernel', 'echo.elf'], new Map(), { input: text('kvm-mte\x04') });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('kvm-mte');
    expect(r.stdout).toContain('bytes=0000000000000007');
  });

  it('a guest spinning with live input is not stalled until the input ends; then it is (status 2)', async () => {
    const stdin = new PassThrough();
    const files = new Map([['spin.elf', codeElf([0x14000000])]]); // b .
    let ended = false;
    setTimeout(() => { ended = true; stdin.end(); }, 300);
    const r = await cli(['run', '--kernel', 'spin.elf'], files, { input: stdin });
    expect(ended).toBe(true); // not declared stalled while input could still arrive
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vmm-lite: guest stalled: .*\n$/);
  });
});
