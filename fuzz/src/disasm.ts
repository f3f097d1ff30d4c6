/** Disassembly of instruction words with the cross binutils' objdump, when installed (else just the hex words). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OBJDUMP = process.env.FUZZ_OBJDUMP ?? 'aarch64-linux-gnu-objdump';

export function disassemble(words: readonly number[]): string[] {
  const plain = words.map((w, i) => `${(4 * i).toString(16).padStart(4, '0')}: ${w.toString(16).padStart(8, '0')}`);
  const dir = mkdtempSync(join(tmpdir(), 'kvm-mte-dis-'));
  try {
    const file = join(dir, 'seq.bin');
    const buf = Buffer.alloc(4 * words.length);
    words.forEach((w, i) => buf.writeUInt32LE(w >>> 0, 4 * i));
    writeFileSync(file, buf);
    const r = spawnSync(OBJDUMP, ['-D', '-b', 'binary', '-m', 'aarch64', file], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return plain;
    const lines = r.stdout.split('\n').filter((l) => /^\s+[0-9a-f]+:\t/.test(l));
    return lines.map((l) => {
      const m = /^\s+([0-9a-f]+):\t([0-9a-f]{8})\s+(.*)$/.exec(l);
      return m ? `${m[1]!.padStart(4, '0')}: ${m[2]}  ${m[3]!.replace(/\t/g, ' ')}` : l.trim();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
