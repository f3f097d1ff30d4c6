// virtio-blk with a Linux guest, and no data lost (issue 14): Debian's kernel on vmm-lite (the built CLI) with
// `--drive IMG --virtio-mmio legacy` finds the disk where QEMU 10 puts it and as QEMU's default legacy transport
// presents it (the sysfs lines below were recorded on QEMU 10 with `-drive file=IMG,if=none,id=d,format=raw -device
// virtio-blk-device,drive=d` and the same initramfs; linux-guest-virtio.test.ts has the disk behind the modern one),
// writes a pattern to /dev/vda, runs `sync`, prints that it returned; the test SIGKILLs the VMM at that line and
// finds the pattern in the image file.
// The kernel's virtio modules come from the kernel package build.sh keeps in $KVM_MTE_LINUX_DIR; the test appends
// them and its own /init to the guest's initramfs (linux-guest/initramfs.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { HAVE_LINUX_MODULES, initPrelude, initramfsWithModules, LINUX_DIR, ROOT } from './linux-guest/initramfs.js';

/** In load order (virtio needs virtio_ring's symbols). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_blk'];
const PATTERN = 'kvm-mte-blk-durable-' + Math.random().toString(36).slice(2, 10);
/** What the guest prints about the disk on QEMU 10 (transport 31 at 0x0a003e00; negotiated feature bits). */
const EXPECTED_SYSFS = [
  'blk: virtio0 a003e00.virtio_mmio 0x0002 0x554d4551 0010101001110110000000000000110000000000000000000000000000000000',
  'blk: size 16384 ro 0',
  'blk: queue 254 512 2147483136 2147483136 write back',
];

const INIT = `${initPrelude(MODULES, 'blk')}echo "blk: size $(cat /sys/block/vda/size) ro $(cat /sys/block/vda/ro)"
echo "blk: queue $(cat /sys/block/vda/queue/max_segments) $(cat /sys/block/vda/queue/logical_block_size) $(cat /sys/block/vda/queue/discard_max_bytes) $(cat /sys/block/vda/queue/write_zeroes_max_bytes) $(cat /sys/block/vda/queue/write_cache)"
printf '%s' '${PATTERN}' | dd of=/dev/vda bs=4096 seek=3 conv=notrunc 2>/dev/null
sync
echo "blk: synced"
sleep 1000
`;

describe.skipIf(!HAVE_LINUX_MODULES)(`virtio-blk (legacy virtio-mmio) in a Linux guest on vmm-lite${HAVE_LINUX_MODULES ? '' : ` (skipped: no Image/initrd.gz/kernel .deb in ${LINUX_DIR})`}`, () => {
  it('finds the disk as on QEMU 10, and a flushed write survives a SIGKILL of the VMM', async () => {
    const cli = join(dirname(builtVmmLite(ROOT)), 'cli.js');
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-blk-'));
    try {
      const initrd = initramfsWithModules(tmp, MODULES, INIT);
      const img = join(tmp, 'disk.img');
      writeFileSync(img, new Uint8Array(8 << 20));

      const child = spawn(process.execPath, [cli, 'run', '--kernel', join(LINUX_DIR, 'Image'), '--initrd', initrd,
        '--append', 'console=ttyAMA0 quiet', '--memory', '512M', '--drive', img, '--virtio-mmio', 'legacy'],
      // One process (no launcher starting Node again for V8's worker pool), so the SIGKILL hits the VMM itself.
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KVM_MTE_V8_POOL_SIZE: 'node' } });
      let out = '';
      let err = '';
      let killedAtSync = false;
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (!killedAtSync && out.includes('blk: synced')) {
          killedAtSync = true;
          child.kill('SIGKILL'); // at once: the VMM gets no chance to write anything more
        }
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
      const signal = await new Promise<string | null>((done) => child.on('exit', (_code, sig) => done(sig)));
      clearTimeout(timer);
      expect(killedAtSync, `${out.slice(-2000)}\n${err}`).toBe(true);
      expect(signal).toBe('SIGKILL');
      const lines = out.replace(/\r/g, '').split('\n').filter((l) => l.startsWith('blk: ') && !l.startsWith('blk: synced'));
      expect(lines).toEqual(EXPECTED_SYSFS);
      const disk = readFileSync(img);
      expect(disk.subarray(3 * 4096, 3 * 4096 + PATTERN.length).toString()).toBe(PATTERN);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 700_000);
});
