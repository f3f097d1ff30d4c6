// The committed guest binaries are reproducible: rebuilding guests/src gives the same bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN_DIR, BUILD_SCRIPT, CC, guestNames, versionLine } from './harness';

const compiler = versionLine(CC);
const recorded = readFileSync(join(BIN_DIR, 'TOOLCHAIN'), 'utf8').split('\n')[0]?.trim() ?? '';
const skipReason = !compiler
  ? `${CC} is not on PATH`
  : compiler !== recorded
    ? `${CC} is "${compiler}", the binaries were built with "${recorded}" (other compilers emit other code)`
    : '';

describe.skipIf(skipReason !== '')(`guest binaries rebuild byte for byte${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const out = mkdtempSync(join(tmpdir(), 'guests-rebuild-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('scripts/build-guests.mjs --out DIR builds every committed guest, identical to guests/bin', () => {
    const r = spawnSync(process.execPath, [BUILD_SCRIPT, '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const built = readdirSync(out).filter((f) => f.endsWith('.elf')).sort();
    expect(built).toEqual(guestNames().map((n) => `${n}.elf`).sort()); // sorted the same way: "mte-x.elf" < "mte.elf"
    for (const f of built) {
      const fresh = readFileSync(join(out, f));
      const committed = readFileSync(join(BIN_DIR, f));
      expect(fresh.equals(committed), `${f} differs from the committed guests/bin/${f}`).toBe(true);
    }
  });
});
