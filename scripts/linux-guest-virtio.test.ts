// virtio-rng, virtio-console and virtio-blk behind the version 2 (modern) virtio-mmio transport, with a Linux guest
// (issue 14): one boot of Debian's kernel on vmm-lite (the built CLI, `--drive IMG --virtio-rng --virtio-console
// stdio`, the default `--virtio-mmio modern`) loads virtio_mmio, virtio_blk, virtio-rng and virtio_console, prints what
// sysfs says of each device, reads bytes from /dev/hwrng (their count: the bytes differ), finds the console port and
// /dev/hvc0, reads a line the test types into hvc0 (vmm-lite's stdin), writes a line to hvc0 (vmm-lite's stdout) and
// powers off. The lines below were recorded on QEMU 10 with the same initramfs, `-global
// virtio-mmio.force-legacy=false` and the devices in the same order (`-drive file=IMG,if=none,id=d,format=raw -device
// virtio-blk-device,drive=d -device virtio-rng-device -device virtio-serial-device,max_ports=1 -chardev
// socket,id=c0,... -device virtconsole,chardev=c0`); when QEMU is installed the test runs it too and holds it to the
// same lines and the same console output (the tty's echo of the typed line, then the written line, with CR LF).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { HAVE_LINUX_MODULES, HAVE_QEMU, initPrelude, initramfsWithModules, LINUX_DIR, ROOT } from './linux-guest/initramfs.js';

/** In load order (virtio needs virtio_ring's symbols). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_blk', 'virtio-rng', 'virtio_console'];
const HVC_LINE = 'kvm-mte: hello from hvc0';
/** What the host types into the console once the guest is ready to read it. */
const TYPED = 'kvm-mte typed into hvc0';

const INIT = `${initPrelude(MODULES, 'virtio')}echo "blk: size $(cat /sys/block/vda/size) ro $(cat /sys/block/vda/ro) queue $(cat /sys/block/vda/queue/max_segments) $(cat /sys/block/vda/queue/write_cache)"
echo "rng: available $(cat /sys/class/misc/hw_random/rng_available) current $(cat /sys/class/misc/hw_random/rng_current)"
echo "rng: read $(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c) bytes"
echo "console: ports $(ls /sys/class/virtio-ports) hvc0 $(test -c /dev/hvc0 && echo yes || echo no)"
echo "console: ready"
read -r line < /dev/hvc0
echo "console: read $line"
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
  'console: ready',
  `console: read ${TYPED}`,
  'console: wrote',
];
/** What the host side of the console receives: the tty's echo of the typed line, then the line written (ONLCR). */
const HVC_OUT = `${TYPED}\r\n${HVC_LINE}\r\n`;

/**
 * Run `cmd` until it exits (at most 15 minutes): its stdout and stderr. Once stdout has 'console: ready', `typed` is
 * called (to send the line to the guest's console).
 */
async function runToExit(cmd: string, args: string[], typed: (child: ChildProcess) => void): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let sent = false;
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    if (!sent && out.includes('console: ready')) {
      sent = true;
      typed(child);
    }
  });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  clearTimeout(timer);
  return { out, err, code };
}

/** The lines init printed about the devices. */
function deviceLines(out: string): string[] {
  return out.replace(/\r/g, '').split('\n').filter((l) => /^(virtio|blk|rng|console): /.test(l));
}

/** A connection to QEMU's console chardev (a UNIX socket QEMU listens on), retried until QEMU has made it. */
async function connectWhenListening(path: string): Promise<Socket> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<Socket>((ok, fail) => {
        const c = createConnection(path, () => ok(c));
        c.once('error', fail);
      });
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Boot the guest with the three devices on `vmm` ('vmm-lite' or 'qemu'), type TYPED into the console when the guest
 * is ready: its device lines, whether the console's host side received HVC_OUT, and a log for failures.
 */
async function boot(vmm: 'vmm-lite' | 'qemu', tmp: string, initrd: string): Promise<{ lines: string[]; hvcReceived: boolean; log: string }> {
  const img = join(tmp, `${vmm}.img`);
  writeFileSync(img, new Uint8Array(8 << 20));
  const append = 'console=ttyAMA0 quiet';
  const line = `${TYPED}\n`;
  if (vmm === 'qemu') {
    // The console's host side: a socket QEMU waits on (wait=on) before it starts the guest.
    const sock = join(tmp, 'hvc.sock');
    let hvc = '';
    let conn: Socket | undefined;
    const run = runToExit('qemu-system-aarch64', ['-M', 'virt,mte=on', '-cpu', 'max', '-m', '512', '-nographic', '-nic', 'none',
      '-no-reboot', '-global', 'virtio-mmio.force-legacy=false', '-kernel', join(LINUX_DIR, 'Image'), '-initrd', initrd,
      '-append', append, '-drive', `file=${img},if=none,id=d,format=raw`, '-device', 'virtio-blk-device,drive=d',
      '-device', 'virtio-rng-device', '-device', 'virtio-serial-device,max_ports=1',
      '-chardev', `socket,id=c0,path=${sock},server=on,wait=on`, '-device', 'virtconsole,chardev=c0'], () => conn?.write(line));
    conn = await connectWhenListening(sock);
    conn.on('data', (b: Buffer) => { hvc += b.toString(); });
    const r = await run;
    conn.destroy();
    return { lines: deviceLines(r.out), hvcReceived: hvc === HVC_OUT, log: `${r.out.slice(-3000)}\n${r.err}\nhvc ${JSON.stringify(hvc)}\nexit ${r.code}` };
  }
  // vmm-lite: `--virtio-console stdio`, so the console's output is on stdout with the UART's, and stdin goes to it.
  const r = await runToExit(process.execPath, [join(dirname(builtVmmLite(ROOT)), 'cli.js'), 'run', '--kernel', join(LINUX_DIR, 'Image'),
    '--initrd', initrd, '--append', append, '--memory', '512M', '--drive', img, '--virtio-rng', '--virtio-console', 'stdio'],
  (child) => child.stdin!.write(line));
  return { lines: deviceLines(r.out), hvcReceived: r.out.includes(HVC_OUT), log: `${r.out.slice(-3000)}\n${r.err}\nexit ${r.code}` };
}

describe.skipIf(!HAVE_LINUX_MODULES)(`virtio-rng, virtio-console, virtio-blk (virtio-mmio version 2) in a Linux guest${HAVE_LINUX_MODULES ? '' : ` (skipped: no Image/initrd.gz/kernel .deb in ${LINUX_DIR})`}`, () => {
  it.skipIf(!HAVE_QEMU)('QEMU 10 prints the recorded lines', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-virtio-qemu-'));
    try {
      const r = await boot('qemu', tmp, initramfsWithModules(tmp, MODULES, INIT));
      expect(r.lines, r.log).toEqual(EXPECTED);
      expect(r.hvcReceived, r.log).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);

  it('vmm-lite prints the same lines; the guest reads the line typed into hvc0, the host receives the line it writes', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-virtio-'));
    try {
      const r = await boot('vmm-lite', tmp, initramfsWithModules(tmp, MODULES, INIT));
      expect(r.lines, r.log).toEqual(EXPECTED);
      expect(r.hvcReceived, r.log).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);
});
