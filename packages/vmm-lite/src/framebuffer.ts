/**
 * A simple framebuffer: guest-visible memory the VMM shares with a display process, described to the guest as a
 * `simple-framebuffer` device tree node (Linux's binding: reg, width, height, stride, format) under /chosen, where
 * Linux's simplefb/simpledrm find the framebuffer a boot loader or VMM left them.
 *
 * Where: a memslot of its own at FRAMEBUFFER_BASE = 0x0f00_0000, the 16 MiB hole of QEMU 10's virt map between the
 * secure-only memory (0x0e00_0000 + 16 MiB, absent without `secure=on`) and the PCIe MMIO window (0x1000_0000):
 * QEMU puts nothing there. The framebuffer must fit in those 16 MiB (1920x1080 at 4 bytes a pixel does).
 *
 * What memory: by default `backing: 'device'` — a kvm-core 'device' mapping, NOT tag-capable. That is what a real
 * shared framebuffer is: a buffer the display side owns (a dma-buf from a GPU driver, a PFN mapping of VRAM or of
 * another process's pages) that the VMM maps with MAP_SHARED and hands to KVM; Linux does not give such VMAs
 * VM_MTE_ALLOWED, and the display process could not use tags anyway. `backing: 'memfd'` is the alternative a VMM can
 * choose when it owns the buffer: a memfd (kvm-core 'shared', tag-capable; optionally PROT_MTE) it shares with the
 * display process.
 *
 * What each page-upgrade policy does with it in an MTE VM (see README.md and examples/policy-matrix):
 * - mteAllowed (default) / enforceProtMte: the memslot is refused at KVM_SET_USER_MEMORY_REGION with EINVAL
 *   (mteAllowed: not tag-capable; enforceProtMte: not PROT_MTE) — the VM cannot have the framebuffer at all.
 *   With `backing: 'memfd'` mteAllowed accepts it, enforceProtMte only with `protMte: true`.
 * - transparentUpgrade: accepted. The first guest touch of a page decides: a device backing is mapped Device at
 *   stage 2 (it cannot hold tags), so the guest's Normal mapping degrades to Device — pixels work (aligned
 *   accesses), STG is silently dropped and LDG reads 0: tags the guest puts there are lost without any error.
 *   A memfd backing is tagged on first touch: KVM zeroes the page's tags and sets its tagged flag, so the
 *   display process's buffer now carries tag storage it never asked for and cannot see.
 * - noTagAccess (FEAT_MTE_PERM): accepted; the device pages are mapped Normal write-back with NoTagAccess: pixel
 *   writes work, any guest tag access (STG, LDG, a tag-checked access) exits to the VMM as 'arm-tag-access'.
 */
import type { HostMapping, Kvm, Vm } from '@kvm-mte/kvm-core';
import { KvmError } from '@kvm-mte/kvm-core';
import { hex, MiB, VmmError } from './errors.js';
import { encodePng } from './framebuffer-png.js';
import { defaultPlatform, type Platform } from './platform.js';

export const FRAMEBUFFER_BASE = 0x0f00_0000;
/** The hole in QEMU's virt map the framebuffer may use. */
export const FRAMEBUFFER_WINDOW = 16 * MiB;
/** The framebuffer's memslot (RAM is slot 0). */
export const FRAMEBUFFER_SLOT = 1;

export type FramebufferFormat = 'a8r8g8b8' | 'r5g6b5';
export type FramebufferBacking = 'device' | 'memfd';

export interface FramebufferOptions {
  width: number;
  height: number;
  /** Default 'a8r8g8b8' (4 bytes a pixel, little-endian 0xAARRGGBB). */
  format?: FramebufferFormat;
  /** Default 'device' (see the module comment). */
  backing?: FramebufferBacking;
  /** PROT_MTE on a 'memfd' backing (not possible for 'device'). Default false. */
  protMte?: boolean;
}

/** The device tree description of a framebuffer. */
export interface FramebufferDescription {
  base: number;
  size: number;
  width: number;
  height: number;
  stride: number;
  format: FramebufferFormat;
}

/** A framebuffer memslot could not be created: KVM refused it (`kvmError` says with which errno). */
export class FramebufferRefusedError extends VmmError {
  constructor(message: string, readonly kvmError: KvmError) {
    super(message);
    this.name = 'FramebufferRefusedError';
  }
}

/** Parse `WxH` (e.g. `640x480`); a VmmError otherwise. */
export function parseFramebufferSize(text: string): { width: number; height: number } {
  const m = /^(\d{1,5})[xX](\d{1,5})$/.exec(text);
  if (m === null) throw new VmmError(`invalid --framebuffer '${text}': expected WIDTHxHEIGHT, e.g. 640x480`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

export class Framebuffer implements FramebufferDescription {
  readonly base = FRAMEBUFFER_BASE;
  readonly width: number;
  readonly height: number;
  readonly format: FramebufferFormat;
  readonly backing: FramebufferBacking;
  readonly bytesPerPixel: number;
  readonly stride: number;
  /** Bytes of the memslot (the pixels rounded up to whole pages). */
  readonly size: number;
  /** The VMM's mapping: what the display process shares. */
  readonly mapping: HostMapping;

  /** The host's compression for `toPng` (platform.ts). */
  private readonly platform: Platform;

  /**
   * mmap the framebuffer and install it as memslot FRAMEBUFFER_SLOT of `vm`. Throws a VmmError for a bad geometry
   * and a {@link FramebufferRefusedError} when KVM refuses the memslot (the page policy, in an MTE VM). `platform`
   * compresses `toPng`'s PNG (default: defaultPlatform()).
   */
  constructor(kvm: Kvm, vm: Vm, o: FramebufferOptions, platform: Platform = defaultPlatform()) {
    this.platform = platform;
    const { width, height } = o;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new VmmError(`invalid framebuffer size ${width}x${height}`);
    this.width = width;
    this.height = height;
    this.format = o.format ?? 'a8r8g8b8';
    if (this.format !== 'a8r8g8b8' && this.format !== 'r5g6b5') throw new VmmError(`unknown framebuffer format '${String(this.format)}'`);
    this.backing = o.backing ?? 'device';
    this.bytesPerPixel = this.format === 'a8r8g8b8' ? 4 : 2;
    this.stride = width * this.bytesPerPixel;
    this.size = Math.ceil((this.stride * height) / 4096) * 4096;
    if (this.size > FRAMEBUFFER_WINDOW) throw new VmmError(`framebuffer ${width}x${height} (${this.size} bytes) does not fit in the ${FRAMEBUFFER_WINDOW / MiB} MiB at ${hex(FRAMEBUFFER_BASE)}`);
    if (o.protMte === true && this.backing === 'device') throw new VmmError('a device framebuffer cannot be mapped PROT_MTE');
    this.mapping = kvm.mmap({ size: this.size, kind: this.backing === 'device' ? 'device' : 'shared', protMte: o.protMte ?? false });
    try {
      vm.setUserMemoryRegion({ slot: FRAMEBUFFER_SLOT, flags: 0, guestPhysAddr: BigInt(this.base), memorySize: BigInt(this.size), mapping: this.mapping });
    } catch (e) {
      if (e instanceof KvmError) {
        throw new FramebufferRefusedError(`KVM refused the framebuffer memslot at ${hex(this.base)} (${e.code}, policy ${vm.pagePolicy.name}): ${e.message}`, e);
      }
      throw e;
    }
  }

  describe(): FramebufferDescription {
    return { base: this.base, size: this.size, width: this.width, height: this.height, stride: this.stride, format: this.format };
  }

  /** The screen as 8-bit RGBA, rows top to bottom (alpha forced to 255: simplefb ignores it). */
  toRgba(): Uint8Array {
    const { width, height, stride } = this;
    const out = new Uint8Array(width * height * 4);
    const v = this.mapping.view;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        if (this.format === 'a8r8g8b8') {
          const p = v.getUint32(y * stride + x * 4, true);
          out[o] = (p >>> 16) & 0xff;
          out[o + 1] = (p >>> 8) & 0xff;
          out[o + 2] = p & 0xff;
        } else {
          const p = v.getUint16(y * stride + x * 2, true);
          out[o] = (((p >>> 11) & 0x1f) * 255 + 15) / 31 | 0;
          out[o + 1] = (((p >>> 5) & 0x3f) * 255 + 31) / 63 | 0;
          out[o + 2] = ((p & 0x1f) * 255 + 15) / 31 | 0;
        }
        out[o + 3] = 255;
      }
    }
    return out;
  }

  /** A PNG of the screen (a PlatformError on a platform without deflate: see platform.ts). */
  toPng(): Uint8Array {
    return encodePng(this.width, this.height, this.toRgba(), this.platform);
  }
}
