/**
 * Which command takes which option, and that each option is given at most once. Checked on parseArgs' tokens
 * before anything else is validated or done, so a misplaced or repeated option is one line, never silently
 * ignored or silently overridden.
 */
import { VmmError } from './errors.js';

export type CommandName = 'run' | 'snapshot' | 'restore' | 'inspect';

/** Options that are one setting spelled two ways: giving both is a conflict, giving one twice a repetition. */
const PAIRS: Readonly<Record<string, string>> = { 'no-mte': 'mte', 'no-prot-mte': 'prot-mte', 'no-pmu': 'pmu' };

/** Per command, the options it does not take, with why (shown after the refusal). */
const NOT_FOR: Readonly<Record<CommandName, Readonly<Record<string, string>>>> = {
  run: { snapshot: 'it names the snapshot to restore: `vmm-lite restore FILE`' },
  snapshot: {
    snapshot: 'it names the snapshot to restore: `vmm-lite restore FILE`',
    framebuffer: 'the framebuffer\'s memory is not saved in snapshots',
    screenshot: 'the framebuffer\'s memory is not saved in snapshots',
  },
  restore: {
    gic: 'the snapshot says which GIC the machine has',
    pmu: 'the snapshot says whether the vCPUs have a PMU',
    'no-pmu': 'the snapshot says whether the vCPUs have a PMU',
    append: 'the guest is already loaded',
    initrd: 'the guest is already loaded',
    framebuffer: 'the framebuffer\'s memory is not saved in snapshots',
    screenshot: 'the framebuffer\'s memory is not saved in snapshots',
    'virtio-mmio': 'the snapshot says which virtio-mmio transports the machine has',
    'virtio-rng': 'the snapshot says whether the machine has a virtio-rng',
  },
  inspect: {},
};

/** inspect takes only these (FILE is a positional). */
const INSPECT_TAKES = new Set(['json', 'snapshot']);

type Token = { kind: string; name?: string };

/**
 * Throw a one-line {@link VmmError} for an option given twice (`--kernel a --kernel b`), both spellings of one
 * setting (`--mte --no-mte`), or an option `command` does not take (`run --snapshot F`, `inspect F --kernel K`).
 */
export function checkOptionUse(command: CommandName, tokens: readonly Token[]): void {
  const seen = new Map<string, string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    const shown = `--${t.name}`;
    const setting = PAIRS[t.name] ?? t.name;
    const before = seen.get(setting);
    if (before === shown) throw new VmmError(`option '${shown}' is given more than once`);
    if (before !== undefined) throw new VmmError(`options '${before}' and '${shown}' contradict each other: give one`);
    seen.set(setting, shown);
  }
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    if (command === 'inspect') {
      if (!INSPECT_TAKES.has(t.name)) throw new VmmError(`option '--${t.name}' does not apply to inspect (it takes FILE and --json)`);
      continue;
    }
    const why = NOT_FOR[command][t.name];
    if (why !== undefined) throw new VmmError(`option '--${t.name}' does not apply to ${command} (${why})`);
  }
}
