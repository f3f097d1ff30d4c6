import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-core.js';
import { PL031_BASE } from './pl031.js';
import { A64, PSCI_SYSTEM_OFF, psciCode, UART_BASE } from './testing/a64.js';
import { cli } from './testing/cli.js';
import { codeElf } from './testing/elf-builder.js';

/** LSR Xd, Xn, #shift (UBFM Xd, Xn, #shift, #63). */
const lsr = (d: number, n: number, shift: number): number => (0xd340fc00 | (shift << 16) | (n << 5) | d) >>> 0;

/** Read RTCDR `times` times (a few instructions apart) and print each as 4 bytes, little-endian. */
function rtcPrinter(times: number): Uint8Array {
  const code = [...A64.mov64(0, PL031_BASE), ...A64.mov64(3, UART_BASE)];
  for (let i = 0; i < times; i++) {
    code.push(A64.ldrw(1, 0));
    for (let b = 0; b < 4; b++) code.push(A64.strb(1, 3), lsr(1, 1, 8));
  }
  return codeElf([...code, ...psciCode(PSCI_SYSTEM_OFF)]);
}

const words = (s: string): number[] => {
  const b = Buffer.from(s, 'latin1');
  return Array.from({ length: b.length / 4 }, (_, i) => b.readUInt32LE(4 * i));
};

describe('--clock', () => {
  it('parses host or deterministic for run, snapshot and restore; anything else is refused', () => {
    expect(parseCli(['run', '--kernel', 'k', '--clock', 'deterministic'])).toMatchObject({ options: { clock: 'deterministic' } });
    expect(parseCli(['snapshot', '--kernel', 'k', '--clock', 'host', '--snapshot-out', 's'])).toMatchObject({ options: { clock: 'host' } });
    expect(parseCli(['restore', 's.snap', '--clock', 'deterministic'])).toMatchObject({ options: { clock: 'deterministic' } });
    expect(() => parseCli(['run', '--kernel', 'k', '--clock', 'utc'])).toThrow("invalid --clock 'utc': expected host or deterministic");
    expect(() => parseCli(['run', '--kernel', 'k', '--clock', 'host', '--clock', 'host'])).toThrow("option '--clock' is given more than once");
  });

  it('the guest reads host time by default, the instruction-derived time with --clock deterministic, also after a restore', async () => {
    const files = new Map([['rtc.elf', rtcPrinter(3)]]);
    const before = Math.floor(Date.now() / 1000);
    const host = await cli(['run', '--kernel', 'rtc.elf'], files);
    expect(host.status).toBe(0);
    for (const t of words(host.stdout)) expect(t >= before && t <= Math.floor(Date.now() / 1000)).toBe(true);

    const det = await cli(['run', '--kernel', 'rtc.elf', '--clock', 'deterministic'], files);
    expect(det.status).toBe(0);
    expect(words(det.stdout)).toEqual([0, 0, 0]); // a few instructions of 8 ns after 1970-01-01T00:00:00Z

    const a = await cli(['run', '--kernel', 'rtc.elf', '--clock', 'deterministic', '--stop-after', '15', '--snapshot-out', 's.snap'], files);
    const b = await cli(['restore', '--snapshot', 's.snap', '--clock', 'deterministic'], files);
    expect([a.status, b.status], a.stderr + b.stderr).toEqual([0, 0]);
    expect(a.stderr).toContain("snapshot written to 's.snap'");
    expect([a.stdout.length > 0, b.stdout.length > 0]).toEqual([true, true]); // split mid-run
    expect(words(a.stdout + b.stdout)).toEqual([0, 0, 0]);
  });
});
