/**
 * The guest's UART output as the machine keeps it for `RunResult.serial`: the most recent `capacity` bytes, in a
 * ring that grows (doubling) up to the cap and then overwrites its oldest bytes. Memory stays at most `capacity`
 * bytes however long the guest prints; `written` and `dropped` say how much went by.
 */

/** What `serial` keeps by default when nothing streams the output: 16 MiB (everything, for any test-sized guest). */
export const DEFAULT_SERIAL_LOG_BYTES = 16 * 1024 * 1024;
/** What `serial` keeps by default when `onSerial` streams the output (it already has every byte): the last 64 KiB. */
export const DEFAULT_STREAMED_SERIAL_LOG_BYTES = 64 * 1024;

export class SerialLog {
  private buf: Uint8Array;
  /** Index of the next byte to write once the ring is full (the oldest byte kept). */
  private head = 0;
  /** Bytes written since the machine was built. */
  written = 0;

  /** `capacity`: how many of the most recent bytes to keep, at least 1. */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`invalid serial log size ${capacity}: must be a positive integer`);
    this.buf = new Uint8Array(Math.min(4096, capacity));
  }

  /** Bytes of the buffer currently allocated (at most `capacity`). */
  get allocated(): number {
    return this.buf.length;
  }

  /** Bytes written that are no longer kept. */
  get dropped(): number {
    return Math.max(0, this.written - this.capacity);
  }

  push(b: number): void {
    const n = this.written++;
    if (n < this.buf.length) {
      this.buf[n] = b;
      return;
    }
    if (this.buf.length < this.capacity) {
      const bigger = new Uint8Array(Math.min(this.buf.length * 2, this.capacity));
      bigger.set(this.buf);
      this.buf = bigger;
      this.buf[n] = b;
      return;
    }
    this.buf[this.head] = b;
    this.head = (this.head + 1) % this.capacity;
  }

  /** The bytes kept, oldest first (a copy). */
  bytes(): Uint8Array {
    if (this.written <= this.buf.length) return this.buf.slice(0, this.written);
    const out = new Uint8Array(this.capacity);
    out.set(this.buf.subarray(this.head));
    out.set(this.buf.subarray(0, this.head), this.capacity - this.head);
    return out;
  }
}
