// virtio-rng, virtio-console and virtio-blk behind the version 2 (modern) virtio-mmio transport, with a Linux guest
// (issue 14): one boot of Debian's kernel on vmm-lite (the built CLI, `--drive IMG --virtio-rng --virtio-console OUT`,
// the default `--virtio-mmio modern`) loads virtio_mmio, virtio_blk, virtio-rng and virtio_console, prints what sysfs
// says of each device, reads bytes from /dev/hwrng (their count: the bytes differ), finds the console port and
// /dev/hvc0, writes a line to hvc0 and powers off. The lines below were recorded on QEMU 10 with the same initramfs,
// `-global virtio-mmio.force-legacy=false` and the devices in the same order (`-drive file=IMG,if=none,id=d,format=raw
// -device virtio-blk-device,drive=d -device virtio-rng-device -device virtio-serial-device,max_ports=1 -chardev
// file,id=c0,path=OUT -device virtconsole,chardev=c0`); when QEMU is installed the test runs it too and holds it to
// the same lines and the same console output file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { HAVE_LINUX_MODULES, HAVE_QEMU, initramfsWithModules, LINUX_DIR, ROOT } from './linux-guest/initramfs.js';

/** In load order (virtio needs virtio_ring's symbols). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_blk', 'virtio-rng', 'virtio_console'];
const HVC_LINE = 'kvm-mte: hello from hvc0';

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${MODULES.join(' ')}; do insmod /lib/modules/$m.ko; done
for d in /sys/bus/virtio/devices/*; do echo "virtio: $(basename $d) $(readlink -f $d/.. | sed 's#.*/##') $(cat $d/device) $(cat $d/vendor) $(cat $d/features)"; done
echo "blk: size $(cat /sys/block/vda/size) ro $(cat /sys/block/vda/ro) queue $(cat /sys/block/vda/queue/max_segments) $(cat /sys/block/vda/queue/write_cache)"
echo "rng: available $(cat /sys/class/misc/hw_random/rng_available) current $(cat /sys/class/misc/hw_random/rng_current)"
echo "rng: read $(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c) bytes"
echo "console: ports $(ls /sys/class/virtio-ports) hvc0 $(test -c /dev/hvc0 && echo yes || echo no)"
stty -F /dev/hvc0 -opost
echo '${HVC_LINE}' > /dev/hvc0
echo "console: wrote"
poweroff -f
`;

/** The lines both print (tag "virtio:" ... in the order init prints them). */
const EXPECTED = [
  'virtio: virtio0 a003a00.virtio_mmio 0x0003 0x554d4551 0000000000000000000000000000110010000000000000000000000000000000',
  'virtio: virtio1 a003c00.virtio_mmio 0x0004 0x554d4551 0000000000000000000000000000110010000000000000000000000000000000',
  'virtio: virtio2 a003e00.virtio_mmio 0x0002 0x554d4551 0010101001110110000000000000110010000000000000000000000000000000',
  'blk: size 16384 ro 0 queue 254 write back',
  'rng: available virtio_rng.0  current virtio_rng.0',
  'rng: read 256 bytes',
  'console: ports vport0p0 hvc0 yes',
  'console: wrote',
];

/** Run `cmd` until it exits (at most 15 minutes); its stdout and stderr. */
async function runToExit(cmd: string, args: string[]): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  clearTimeout(timer);
  return { out, err, code };
}

/** The lines init printed about the devices. */
function deviceLines(out: string): string[] {
  return out.replace(/\r/g, '').split('\n').filter((l) => /^(virtio|blk|rng|console): /.test(l));
}

/** Boot the guest with the three devices on `vmm` ('vmm-lite' or 'qemu'); its device lines and console output. */
async function boot(vmm: 'vmm-lite' | 'qemu', tmp: string, initrd: string): Promise<{ lines: string[]; hvc: string; log: string }> {
  const img = join(tmp, `${vmm}.img`);
  writeFileSync(img, new Uint8Array(8 << 20));
  const hvc = join(tmp, `${vmm}.hvc`);
  const append = 'console=ttyAMA0 quiet';
  const r = vmm === 'qemu'
    ? await runToExit('qemu-system-aarch64', ['-M', 'virt,mte=on', '-cpu', 'max', '-m', '512', '-nographic', '-nic', 'none',
      '-no-reboot', '-global', 'virtio-mmio.force-legacy=false', '-kernel', join(LINUX_DIR, 'Image'), '-initrd', initrd,
      '-append', append, '-drive', `file=${img},if=none,id=d,format=raw`, '-device', 'virtio-blk-device,drive=d',
      '-device', 'virtio-rng-device', '-device', 'virtio-serial-device,max_ports=1', '-chardev', `file,id=c0,path=${hvc}`,
      '-device', 'virtconsole,chardev=c0'])
    : await runToExit(process.execPath, [join(dirname(builtVmmLite(ROOT)), 'cli.js'), 'run', '--kernel', join(LINUX_DIR, 'Image'),
      '--initrd', initrd, '--append', append, '--memory', '512M', '--drive', img, '--virtio-rng', '--virtio-console', hvc]);
  return { lines: deviceLines(r.out), hvc: readFileSync(hvc, 'utf8'), log: `${r.out.slice(-3000)}\n${r.err}\nexit ${r.code}` };
}

describe.skipIf(!HAVE_LINUX_MODULES)(`virtio-rng, virtio-console, virtio-blk (virtio-mmio version 2) in a Linux guest${HAVE_LINUX_MODULES ? '' : ` (skipped: no Image/initrd.gz/kernel .deb in ${LINUX_DIR})`}`, () => {
  it.skipIf(!HAVE_QEMU)('QEMU 10 prints the recorded lines', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-virtio-qemu-'));
    try {
      const r = await boot('qemu', tmp, initramfsWithModules(tmp, MODULES, INIT));
      expect(r.lines, r.log).toEqual(EXPECTED);
      expect(r.hvc).toBe(`${HVC_LINE}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);

  it('vmm-lite prints the same lines, and the host receives the line written to hvc0', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-virtio-'));
    try {
      const r = await boot('vmm-lite', tmp, initramfsWithModules(tmp, MODULES, INIT));
      expect(r.lines, r.log).toEqual(EXPECTED);
      expect(r.hvc).toBe(`${HVC_LINE}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);
});
