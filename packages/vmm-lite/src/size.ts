/**
 * Memory sizes as QEMU's `-m` takes them: a number with an optional K, M, G or T suffix (powers of 1024, either
 * case); a bare number means MiB, as `-m 256` does. Fractions are allowed when the result is a whole number of
 * bytes ("1.5G"). Guest RAM must also be a whole number of 4 KiB pages, and at most {@link MAX_RAM_BYTES}.
 */
import { GiB, KiB, MiB, VmmError } from './errors.js';

/**
 * The largest guest RAM vmm-lite allocates: a host's guest memory is one WebAssembly.Memory of at most 4 GiB
 * (kvm-core's arena), which also holds the framebuffer, the vCPUs' state and TLBs; 3.5 GiB leaves room for those.
 */
export const MAX_RAM_BYTES = 3.5 * GiB;
/** Guest RAM granularity: one page. */
export const RAM_GRANULE = 4 * KiB;

const UNITS: Record<string, number> = { k: KiB, m: MiB, g: GiB, t: 1024 * GiB };

/** Parse a size such as `256M`, `1G`, `512K` or `256` (MiB). Throws {@link VmmError} with a one-line reason. */
export function parseSize(text: string): number {
  const m = /^(\d+)(?:\.(\d+))?([kKmMgGtT])?$/.exec(text.trim());
  if (m === null) throw new VmmError(`invalid size '${text}': expected a number with an optional K, M, G or T suffix (e.g. 256M, 1G, 512K)`);
  const unit = BigInt(m[3] === undefined ? MiB : UNITS[m[3].toLowerCase()]!);
  const digits = m[2] ?? '';
  const scale = 10n ** BigInt(digits.length);
  const scaled = (BigInt(m[1]!) * scale + BigInt(digits === '' ? '0' : digits)) * unit;
  if (scaled % scale !== 0n) throw new VmmError(`invalid size '${text}': not a whole number of bytes`);
  const big = scaled / scale;
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new VmmError(`invalid size '${text}': too large`);
  const bytes = Number(big);
  return bytes;
}

/** Check a guest RAM size in bytes: a positive multiple of 4 KiB, at most 3.5 GiB. Returns it. */
export function checkRamSize(bytes: number, shown: string = String(bytes)): number {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new VmmError(`invalid memory size ${shown}: must be a positive number of bytes`);
  if (bytes % RAM_GRANULE !== 0) throw new VmmError(`invalid memory size ${shown}: must be a multiple of 4K`);
  if (bytes > MAX_RAM_BYTES) throw new VmmError(`invalid memory size ${shown}: at most 3.5G is supported`);
  return bytes;
}

/** Format a byte count the way the sizes are written (`256M`, `1G`, `512K`, or bytes). */
export function formatSize(bytes: number): string {
  for (const [suffix, unit] of [['G', GiB], ['M', MiB], ['K', KiB]] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return `${bytes}`;
}
