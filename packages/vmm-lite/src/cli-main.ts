// The vmm-lite executable's work, in the process that runs the VMM (cli.ts loads it, in this process or in the one
// it starts for V8's worker pool): `vmm-lite run|snapshot|restore|inspect ...` (see cli-core.ts and README.md).
import { EXIT, runCli } from './cli-core.js';
import { RELAUNCHED_ENV } from './relaunch.js';

// Started by cli.ts's launcher: that process waits for this one and passes signals on. Should it end without doing
// so (SIGKILL), the IPC channel it opened closes, and this process ends too rather than run on unattended.
if (process.env[RELAUNCHED_ENV] !== undefined) {
  delete process.env[RELAUNCHED_ENV];
  if (process.channel !== undefined) {
    process.channel.unref();
    process.once('disconnect', () => {
      if (process.stdin.isTTY === true && process.stdin.isRaw) process.stdin.setRawMode(false);
      process.exit(EXIT.INTERRUPTED);
    });
  }
}

// The run loop yields to the event loop every round (a round takes a bounded time whatever the guest does), so this
// runs promptly. A terminal in raw mode for the guest (where Ctrl-C is a byte for it, so the signal came from
// elsewhere) is put back first: process.exit skips the run's own cleanup.
process.on('SIGINT', () => {
  if (process.stdin.isTTY === true && process.stdin.isRaw) process.stdin.setRawMode(false);
  process.stderr.write('\nvmm-lite: interrupted\n');
  process.exit(EXIT.INTERRUPTED);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (bytes) => process.stdout.write(bytes),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  input: process.stdin,
  env: process.env,
  // A snapshot stop: `kill -USR1 <pid>`, or Ctrl-\ on the terminal (SIGQUIT, which would otherwise end the process).
  onStopRequest: (request) => {
    // Once: Ctrl-\ on a terminal reaches this process and cli.ts's launcher, which passes it on as well.
    let requested = false;
    const on = (): void => {
      if (requested) return;
      requested = true;
      process.stderr.write('\nvmm-lite: stop requested, saving a snapshot at the next instruction boundary\n');
      request();
    };
    process.on('SIGUSR1', on);
    process.on('SIGQUIT', on);
    return () => {
      process.off('SIGUSR1', on);
      process.off('SIGQUIT', on);
    };
  },
});
