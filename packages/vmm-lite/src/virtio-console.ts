/**
 * virtio-console (device ID 3, virtio 1.x 5.3) with a single port, port 0, which Linux makes a console (/dev/hvc0,
 * and /sys/class/virtio-ports/vport0p0): what QEMU 10 gives with `-device virtio-serial-device,max_ports=1 -device
 * virtconsole,chardev=...`. VIRTIO_CONSOLE_F_MULTIPORT is not offered (QEMU offers it only with more than one port),
 * so there are no control queues and no port names; VIRTIO_CONSOLE_F_SIZE is not offered either (QEMU does not: the
 * configuration's cols and rows read 0). VIRTIO_CONSOLE_F_EMERG_WRITE is offered, as QEMU offers it: once the driver
 * accepted it, a write of the configuration's emerg_wr sends its low byte to the port's output.
 *
 * Queues: 0 receiveq (host to guest, QEMU's size 128) and 1 transmitq (guest to host, 128). One difference from
 * QEMU: QEMU's device also has the two control queues (QueueNumMax reads 1024 for queues 2 and 3) though without
 * MULTIPORT no driver uses them; the specification has them only with MULTIPORT, and so does this device.
 *
 * Output (transmitq): every device-readable byte of each chain goes to `onOutput`, synchronously, before the chain is
 * put on the used ring: once the guest sees a write complete, the host has the bytes (with a file, handed to the host
 * kernel), so nothing the guest wrote is lost if the VMM stops or is killed after.
 *
 * Input: `input(bytes)` queues bytes for the guest (stdin, a test); they go into the buffers the driver made
 * available on receiveq, as many as fit, each filled buffer put on the used ring, with the used-buffer interrupt the
 * driver asked for. Bytes wait while the driver has no buffer there (or has not set DRIVER_OK); the queue is
 * unbounded (the host decides how much to send). Buffers are taken off the ring only when there are bytes for them,
 * so no guest buffer is ever held by the device between requests: a snapshot holds the bytes still waiting (in the
 * device's state) and the ring positions, and nothing is in flight.
 */
import type { AccessSize } from './bus.js';
import type { GuestMemory } from './virtio-dma.js';
import {
  featureBit, VIRTIO_F_ANY_LAYOUT, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC, readConfigSpace,
  type VirtioDevice, type VirtioDeviceHost,
} from './virtio-device.js';
import type { Chain } from './virtqueue.js';

export const VIRTIO_ID_CONSOLE = 3;
/** Feature bits (virtio 1.x 5.3.3). */
export const VIRTIO_CONSOLE_F = { SIZE: 0, MULTIPORT: 1, EMERG_WRITE: 2 } as const;
/** Queue indexes. */
export const CONSOLE_RX = 0;
export const CONSOLE_TX = 1;
/** The ring size QEMU gives port 0's queues. */
export const CONSOLE_QUEUE_SIZE = 128;
/** struct virtio_console_config: cols (u16), rows (u16), max_nr_ports (u32), emerg_wr (u32). */
const CONFIG_BYTES = 12;
const CONFIG_MAX_NR_PORTS = 4;
const CONFIG_EMERG_WR = 8;

/** A virtio-console device's state as a snapshot keeps it: the input bytes still waiting for a guest buffer. */
export interface VirtioConsoleState {
  /** Base64. */
  pendingInput: string;
}

export class VirtioConsole implements VirtioDevice {
  readonly name = 'virtio-console';
  readonly deviceId = VIRTIO_ID_CONSOLE;
  readonly queueSizes = [CONSOLE_QUEUE_SIZE, CONSOLE_QUEUE_SIZE];
  private readonly config = new Uint8Array(CONFIG_BYTES);
  private host: VirtioDeviceHost | undefined;
  /** Input not yet in a guest buffer: chunks, the first read from `pos`. */
  private pending: Uint8Array[] = [];
  private pos = 0;
  /** Bytes of output (transmitq and emergency writes) and of input delivered into guest buffers, so far. */
  written = 0;
  delivered = 0;

  /** `onOutput` receives the port's output as the guest writes it (default: discarded). */
  constructor(private readonly onOutput: (bytes: Uint8Array) => void = () => {}) {
    new DataView(this.config.buffer).setUint32(CONFIG_MAX_NR_PORTS, 1, true);
  }

  features(): bigint {
    return featureBit(VIRTIO_CONSOLE_F.EMERG_WRITE) | featureBit(VIRTIO_F_NOTIFY_ON_EMPTY) | featureBit(VIRTIO_F_ANY_LAYOUT)
      | featureBit(VIRTIO_RING_F_INDIRECT_DESC) | featureBit(VIRTIO_RING_F_EVENT_IDX);
  }

  attach(host: VirtioDeviceHost): void {
    this.host = host;
  }

  configRead(offset: number, size: AccessSize): number {
    return readConfigSpace(this.config, offset, size);
  }

  /** Only emerg_wr does anything: with EMERG_WRITE negotiated, a write that covers its low byte outputs that byte. */
  configWrite(offset: number, size: AccessSize, value: number): void {
    const negotiated = this.host?.negotiated() ?? 0n;
    if ((negotiated & featureBit(VIRTIO_CONSOLE_F.EMERG_WRITE)) === 0n) return;
    if (offset <= CONFIG_EMERG_WR && CONFIG_EMERG_WR < offset + size && offset + size <= CONFIG_BYTES) {
      this.output(Uint8Array.of((value >>> (8 * (CONFIG_EMERG_WR - offset))) & 0xff));
    }
  }

  /** Bytes of input waiting for a guest buffer. */
  get pendingInput(): number {
    return this.pending.reduce((n, c) => n + c.length, 0) - this.pos;
  }

  /** Queue `bytes` for the guest, and fill the buffers it has made available. */
  input(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes.slice());
    this.host?.kick(CONSOLE_RX);
  }

  /** receiveq is served only while there is input for it; transmitq always. */
  ready(queue: number): boolean {
    return queue !== CONSOLE_RX || this.pendingInput > 0;
  }

  handle(queue: number, chain: Chain, mem: GuestMemory): number {
    if (queue === CONSOLE_TX) {
      for (const s of chain.segments) if (!s.write) this.output(mem.range(s.addr, s.len)!.slice());
      return 0;
    }
    let n = 0;
    for (const s of chain.segments) {
      if (!s.write) continue;
      const dest = mem.range(s.addr, s.len)!;
      let p = 0;
      while (p < s.len && this.pending.length > 0) {
        const c = this.pending[0]!;
        const k = Math.min(s.len - p, c.length - this.pos);
        dest.set(c.subarray(this.pos, this.pos + k), p);
        p += k;
        this.pos += k;
        if (this.pos === c.length) {
          this.pending.shift();
          this.pos = 0;
        }
      }
      if (p > 0) mem.wrote(s.addr, p);
      n += p;
    }
    this.delivered += n;
    return n;
  }

  private output(bytes: Uint8Array): void {
    this.written += bytes.length;
    this.onOutput(bytes);
  }

  /** A reset keeps waiting input: it is the host's, for whichever driver sets the device up next. */
  reset(): void {}

  saveState(): VirtioConsoleState {
    const all = new Uint8Array(this.pendingInput);
    let p = 0;
    this.pending.forEach((c, i) => {
      const part = i === 0 ? c.subarray(this.pos) : c;
      all.set(part, p);
      p += part.length;
    });
    return { pendingInput: toBase64(all) };
  }

  checkState(s: unknown): asserts s is VirtioConsoleState {
    checkVirtioConsoleState(s);
  }

  loadState(s: unknown): void {
    this.checkState(s);
    const bytes = fromBase64(s.pendingInput);
    this.pending = bytes.length > 0 ? [bytes] : [];
    this.pos = 0;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 (RFC 4648, padded) of `b`. */
function toBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + (i + 1 < b.length ? B64[(n >>> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return out;
}

/** The bytes of a string from {@link toBase64} (checked by checkVirtioConsoleState first). */
function fromBase64(s: string): Uint8Array {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    const n = (B64.indexOf(s[i]!) << 18) | (B64.indexOf(s[i + 1]!) << 12) | (Math.max(0, B64.indexOf(s[i + 2]!)) << 6) | Math.max(0, B64.indexOf(s[i + 3]!));
    for (let k = 0; k < 3 && o < out.length; k++) out[o++] = (n >>> (16 - 8 * k)) & 0xff;
  }
  return out;
}

/** Check a saved virtio-console state; a TypeError naming the bad field. */
export function checkVirtioConsoleState(s: unknown): asserts s is VirtioConsoleState {
  const o = s as Partial<VirtioConsoleState> | null;
  if (typeof o !== 'object' || o === null) throw new TypeError('virtio-console state: bad state');
  if (typeof o.pendingInput !== 'string' || o.pendingInput.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.pendingInput)) {
    throw new TypeError('virtio-console state: bad pendingInput');
  }
}
