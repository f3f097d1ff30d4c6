// virtio-blk with a Linux guest, and no data lost (issue 14): Debian's kernel on vmm-lite (the built CLI) with
// `--drive IMG` finds the disk where QEMU 10 puts it and as QEMU presents it (the sysfs lines below were recorded on
// QEMU 10 with `-drive file=IMG,if=none,id=d,format=raw -device virtio-blk-device,drive=d` and the same initramfs),
// writes a pattern to /dev/vda, runs `sync`, prints that it returned; the test SIGKILLs the VMM at that line and
// finds the pattern in the image file.
// The kernel's virtio modules come from the kernel package build.sh keeps in $KVM_MTE_LINUX_DIR; the test appends
// them and its own /init to the guest's initramfs (a second cpio archive, which the kernel unpacks over the first).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = process.env.KVM_MTE_LINUX_DIR ?? join(ROOT, '.cache', 'linux-guest');
const KERNEL_DEB = existsSync(DIR) ? readdirSync(DIR).find((f) => /^linux-image-.*-arm64_.*\.deb$/.test(f)) : undefined;
const HAVE = existsSync(join(DIR, 'Image')) && existsSync(join(DIR, 'initrd.gz')) && KERNEL_DEB !== undefined
  && spawnSync('dpkg-deb', ['--version']).status === 0;
/** In load order (virtio needs virtio_ring's symbols). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_blk'];
const PATTERN = 'kvm-mte-blk-durable-' + Math.random().toString(36).slice(2, 10);
/** What the guest prints about the disk on QEMU 10 (transport 31 at 0x0a003e00; negotiated feature bits). */
const EXPECTED_SYSFS = [
  'blk: virtio0 a003e00.virtio_mmio 0x0002 0x554d4551 0010101001110110000000000000110000000000000000000000000000000000',
  'blk: size 16384 ro 0',
  'blk: queue 254 512 2147483136 2147483136 write back',
];

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${MODULES.join(' ')}; do insmod /lib/modules/$m.ko; done
for d in /sys/bus/virtio/devices/*; do echo "blk: $(basename $d) $(readlink -f $d/.. | sed 's#.*/##') $(cat $d/device) $(cat $d/vendor) $(cat $d/features)"; done
echo "blk: size $(cat /sys/block/vda/size) ro $(cat /sys/block/vda/ro)"
echo "blk: queue $(cat /sys/block/vda/queue/max_segments) $(cat /sys/block/vda/queue/logical_block_size) $(cat /sys/block/vda/queue/discard_max_bytes) $(cat /sys/block/vda/queue/write_zeroes_max_bytes) $(cat /sys/block/vda/queue/write_cache)"
printf '%s' '${PATTERN}' | dd of=/dev/vda bs=4096 seek=3 conv=notrunc 2>/dev/null
sync
echo "blk: synced"
sleep 1000
`;

/** A cpio "newc" archive of `files` (path -> contents; directories made as needed), gzip-compressed. */
function cpio(files: Record<string, { data: Uint8Array; mode: number }>): Uint8Array {
  const parts: Buffer[] = [];
  let ino = 1;
  const entry = (name: string, mode: number, data: Uint8Array): void => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const head = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('') + name + '\0');
    parts.push(head, Buffer.alloc((4 - (head.length % 4)) % 4), Buffer.from(data), Buffer.alloc((4 - (data.length % 4)) % 4));
  };
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const segs = path.split('/');
    for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'));
  }
  for (const d of [...dirs].sort()) entry(d, 0o40755, new Uint8Array(0));
  for (const [path, f] of Object.entries(files)) entry(path, f.mode, f.data);
  entry('TRAILER!!!', 0, new Uint8Array(0));
  return gzipSync(Buffer.concat(parts));
}

describe.skipIf(!HAVE)(`virtio-blk in a Linux guest on vmm-lite${HAVE ? '' : ` (skipped: no Image/initrd.gz/kernel .deb in ${DIR})`}`, () => {
  it('finds the disk as on QEMU 10, and a flushed write survives a SIGKILL of the VMM', async () => {
    const cli = join(dirname(builtVmmLite(ROOT)), 'cli.js');
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-blk-'));
    try {
      const x = join(tmp, 'deb');
      const ex = spawnSync('sh', ['-c', `dpkg-deb -x "$1" "$2"`, 'sh', join(DIR, KERNEL_DEB!), x]);
      expect(ex.status, String(ex.stderr)).toBe(0);
      const find = (m: string): string => {
        const r = spawnSync('find', [x, '-name', `${m}.ko`], { encoding: 'utf8' });
        return r.stdout.trim().split('\n')[0]!;
      };
      const files: Record<string, { data: Uint8Array; mode: number }> = { init: { data: Buffer.from(INIT), mode: 0o100755 } };
      for (const m of MODULES) files[`lib/modules/${m}.ko`] = { data: readFileSync(find(m)), mode: 0o100644 };
      const initrd = join(tmp, 'initrd.gz');
      writeFileSync(initrd, Buffer.concat([readFileSync(join(DIR, 'initrd.gz')), cpio(files)]));
      const img = join(tmp, 'disk.img');
      writeFileSync(img, new Uint8Array(8 << 20));

      const child = spawn(process.execPath, [cli, 'run', '--kernel', join(DIR, 'Image'), '--initrd', initrd,
        '--append', 'console=ttyAMA0 quiet', '--memory', '512M', '--drive', img], { stdio: ['ignore', 'pipe', 'pipe'] });
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
