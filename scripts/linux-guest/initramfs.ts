// What the virtio Linux guest tests (linux-guest-blk.test.ts, linux-guest-virtio.test.ts) share: where the built guest
// is, and an initramfs that is the built one with kernel modules from the kernel package and the test's own /init
// appended (a second gzip-compressed cpio archive after the first, which the kernel unpacks over it), and the start of
// their /init scripts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built guest: Image, initrd.gz and the kernel's .deb (scripts/linux-guest/build.sh). */
export const LINUX_DIR = process.env.KVM_MTE_LINUX_DIR ?? join(ROOT, '.cache', 'linux-guest');
const KERNEL_DEB = existsSync(LINUX_DIR) ? readdirSync(LINUX_DIR).find((f) => /^linux-image-.*-arm64_.*\.deb$/.test(f)) : undefined;
/** Whether the guest is built and its kernel package can be unpacked (dpkg-deb). */
export const HAVE_LINUX_MODULES = existsSync(join(LINUX_DIR, 'Image')) && existsSync(join(LINUX_DIR, 'initrd.gz'))
  && KERNEL_DEB !== undefined && spawnSync('dpkg-deb', ['--version']).status === 0;
/** Whether QEMU 10's system emulator is installed (the tests then also run the guest on it). */
export const HAVE_QEMU = spawnSync('qemu-system-aarch64', ['--version']).status === 0;

/** A cpio "newc" archive of `files` (path -> contents; directories made as needed), gzip-compressed. */
export function cpio(files: Record<string, { data: Uint8Array; mode: number }>): Uint8Array {
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

/**
 * The start of a test's /init script: busybox's applets installed, /proc, /sys and /dev mounted, `modules` loaded in
 * order from /lib/modules (where initramfsWithModules puts them), then one line per virtio device, tagged `tag`:
 * its name, its transport's node, device and vendor IDs and negotiated feature bits, as sysfs gives them.
 */
export function initPrelude(modules: readonly string[], tag: string): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${modules.join(' ')}; do insmod /lib/modules/$m.ko; done
for d in /sys/bus/virtio/devices/*; do echo "${tag}: $(basename $d) $(readlink -f $d/.. | sed 's#.*/##') $(cat $d/device) $(cat $d/vendor) $(cat $d/features)"; done
`;
}

/**
 * Write `<tmp>/initrd.gz`: the built initramfs, then an archive with `init` as /init and each module of `modules`
 * (file names without `.ko`, from the kernel package unpacked into `<tmp>/deb`) as /lib/modules/NAME.ko. Returns its
 * path. Throws when the package cannot be unpacked or a module is not in it.
 */
export function initramfsWithModules(tmp: string, modules: readonly string[], init: string): string {
  const x = join(tmp, 'deb');
  const ex = spawnSync('dpkg-deb', ['-x', join(LINUX_DIR, KERNEL_DEB!), x], { encoding: 'utf8' });
  if (ex.status !== 0) throw new Error(`dpkg-deb -x failed: ${ex.stderr}`);
  const files: Record<string, { data: Uint8Array; mode: number }> = { init: { data: Buffer.from(init), mode: 0o100755 } };
  for (const m of modules) {
    const found = spawnSync('find', [x, '-name', `${m}.ko`], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
    if (found === '') throw new Error(`module ${m}.ko is not in ${KERNEL_DEB}`);
    files[`lib/modules/${m}.ko`] = { data: readFileSync(found), mode: 0o100644 };
  }
  const initrd = join(tmp, 'initrd.gz');
  writeFileSync(initrd, Buffer.concat([readFileSync(join(LINUX_DIR, 'initrd.gz')), cpio(files)]));
  return initrd;
}
