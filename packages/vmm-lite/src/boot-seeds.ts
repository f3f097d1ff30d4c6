/**
 * The seeds a boot puts in /chosen (virt-dt.ts): `rng-seed` (32 bytes) and `kaslr-seed` (a u64), as QEMU's virt does.
 * From the platform's random bytes (platform.ts `randomFill`: Web Crypto's getRandomValues unless the platform has its
 * own), or, with the deterministic VM clock, the same fixed bytes every boot, so that a deterministic run repeats
 * instruction for instruction.
 */
import { randomFill, type Platform } from './platform.js';

export function bootSeeds(deterministic: boolean, platform: Platform): { rng: Uint8Array; kaslr: bigint } {
  const bytes = new Uint8Array(40);
  if (deterministic) {
    let x = 0x9e37_79b9;
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
  } else {
    randomFill(platform, bytes);
  }
  const kaslr = new DataView(bytes.buffer).getBigUint64(32, true);
  return { rng: bytes.slice(0, 32), kaslr };
}
