/**
 * Input for the PL011: bytes from the host (stdin, a test) queued by the VMM and handed to the UART as its receive
 * FIFO has room (`Pl011.canReceive`/`receive`). The board has no GIC yet, so the guest polls UARTFR.RXFE and reads
 * UARTDR; the machine refills the FIFO after every UART access and between run rounds, so a guest reading byte by
 * byte (FIFO depth 1 with LCR_H.FEN = 0, 16 with it) gets the whole queue without waiting for a round.
 *
 * `attachStdin` wires a Node stream (process.stdin) to a queue without blocking the vCPU loop: the stream's data
 * events arrive while the run loop yields to the event loop between rounds. On a TTY the terminal is put in raw
 * mode (bytes go to the guest as typed, no echo, no line editing, Ctrl-C is a byte for the guest) and restored when
 * detached; Ctrl-A x ends the run (as QEMU's -nographic), Ctrl-A Ctrl-A sends one Ctrl-A. A pipe or file works
 * too; at EOF the queue is closed: the guest sees no more bytes (the UART stays empty, as QEMU's with a closed
 * character device).
 */

/** What the UART offers the queue. */
export interface SerialReceiver {
  canReceive(): boolean;
  receive(byte: number): void;
}

export class SerialInput {
  private chunks: Uint8Array[] = [];
  private pos = 0;
  /** No more input will come (EOF). */
  ended = false;
  /** Bytes handed to the UART so far. */
  delivered = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length > 0) this.chunks.push(bytes.slice());
  }

  end(): void {
    this.ended = true;
  }

  /** Bytes queued and not yet in the UART. */
  get pending(): number {
    return this.chunks.reduce((s, c) => s + c.length, 0) - this.pos;
  }

  /** Move queued bytes into the UART while it has room. Returns how many moved. */
  pump(uart: SerialReceiver): number {
    let n = 0;
    while (this.chunks.length > 0 && uart.canReceive()) {
      const c = this.chunks[0]!;
      uart.receive(c[this.pos++]!);
      n++;
      if (this.pos === c.length) {
        this.chunks.shift();
        this.pos = 0;
      }
    }
    this.delivered += n;
    return n;
  }
}

/** The parts of a Node readable (process.stdin) attachStdin uses. */
/* eslint-disable @typescript-eslint/no-explicit-any -- EventEmitter's own listener type */
export interface StdinLike {
  on(event: 'data' | 'end', f: (...args: any[]) => void): unknown;
  off(event: 'data' | 'end', f: (...args: any[]) => void): unknown;
  pause?(): unknown;
  resume?(): unknown;
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  isRaw?: boolean;
}

export interface AttachedStdin {
  /** Stop reading, restore the terminal. Idempotent. */
  detach(): void;
}

const CTRL_A = 0x01;
const CTRL_BACKSLASH = 0x1c;

/**
 * Feed `stdin` into `input`. `onEscape` is called for Ctrl-A x on a TTY (the caller stops the run). `onQuit`, when
 * given, is called for Ctrl-\ on a TTY instead of passing the byte on: raw mode keeps the terminal from turning it
 * into SIGQUIT, a snapshot's trigger (`vmm-lite snapshot`).
 */
export function attachStdin(stdin: StdinLike, input: SerialInput, onEscape?: () => void, onQuit?: () => void): AttachedStdin {
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const wasRaw = stdin.isRaw === true;
  if (tty) stdin.setRawMode!(true);
  let escape = false;
  const onData = (chunk: Uint8Array | string): void => {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    if (!tty) {
      input.push(bytes);
      return;
    }
    const out: number[] = [];
    for (const b of bytes) {
      if (escape) {
        escape = false;
        if (b === 0x78 /* x */) {
          input.push(Uint8Array.from(out));
          onEscape?.();
          return;
        }
        if (b === CTRL_A) out.push(CTRL_A);
        continue; // other Ctrl-A commands: ignored
      }
      if (b === CTRL_A) escape = true;
      else if (b === CTRL_BACKSLASH && onQuit !== undefined) onQuit();
      else out.push(b);
    }
    input.push(Uint8Array.from(out));
  };
  const onEnd = (): void => input.end();
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.resume?.();
  let attached = true;
  return {
    detach() {
      if (!attached) return;
      attached = false;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause?.();
      if (tty) stdin.setRawMode!(wasRaw);
    },
  };
}
