// From a unittests.cfg entry to how vmm-lite runs it: what the suite's arm runner gives QEMU (-kernel X.flat,
// -append TEST_ARGS, -initrd environ, -smp, qemu_params, the timeout), translated to vmm-lite's machine options,
// or a SKIP naming what vmm-lite does not have yet.
import { CfgError, evalSmp, parseDuration, shellWords } from './cfg.mjs';

/** QEMU virt's default RAM when the cfg gives no -m (what the suite's tests then find), in MiB. */
export const QEMU_VIRT_DEFAULT_MIB = 128;
/** The suite's default timeout (scripts/runtime.bash: 90s) when the cfg gives none. */
export const DEFAULT_TIMEOUT = '90s';

/**
 * @typedef {object} PlanEnv
 * @property {number} maxSmp   what `$MAX_SMP` stands for
 * @property {number} [itsSmp] what `$MAX_SMP` stands for in the `its` group's tests (they need 4 vCPUs; vmm-lite runs
 *                             every vCPU in one thread, so it does not need that many host cores); default maxSmp
 * @property {string} arch     the suite's ARCH (`arm64`)
 * @property {string} target   the suite's TARGET that vmm-lite stands in for (`qemu`: it models QEMU's virt board)
 */

/**
 * @typedef {object} TestPlan
 * @property {string} name
 * @property {string} file        the .flat kernel, relative to the suite's bin/
 * @property {string} append      /chosen/bootargs (QEMU's -append): the test_args words joined by spaces
 * @property {number} smp
 * @property {number} memoryMiB
 * @property {boolean} mte        `-machine mte=on`
 * @property {'v2' | 'v3'} gic    `-machine gic-version=2|3`; QEMU virt's default is a GICv2
 * @property {number} timeoutMs
 * @property {string} timeout     as the cfg spells it (for reasons: `timeout; duration=90s`)
 * @property {boolean} migration  a test of the `migration` group: run with snapshot/restore at its migration points
 * @property {boolean} manual     in the `nodefault` group (the suite skips it unless asked; run here like `-a`)
 * @property {string} [skip]      set when the test is not run: the reason
 */

/** qemu_params options vmm-lite has no counterpart for yet, option → the feature named in the SKIP reason. */
const MISSING_OPTIONS = {
  '-icount': 'instruction-count clock (-icount)', '-device': 'extra devices (-device)', '-global': '-global properties',
  '-bios': 'firmware (-bios)', '-drive': 'block devices (-drive)', '-netdev': 'network devices (-netdev)',
  '-chardev': 'extra character devices (-chardev)', '-numa': 'NUMA (-numa)', '-overcommit': '-overcommit',
};

/**
 * What a `-machine` property needs that vmm-lite does not model yet (undefined: supported).
 * @param {string} key @param {string} value
 */
function missingMachineProperty(key, value) {
  if (key === 'gic-version') return `GIC version ${value}`;
  if (key === 'virtualization' && value === 'on') return 'EL2 (virtualization=on)';
  if (key === 'secure' && value === 'on') return 'secure world (secure=on)';
  if (key === 'its' && value === 'on') return 'GIC ITS';
  return `machine property ${key}=${value}`;
}

/** `-cpu` properties that mean a missing feature. */
function missingCpuProperty(prop) {
  if (/^sve/.test(prop)) return 'SVE';
  return `CPU property ${prop}`;
}

/**
 * Plan one cfg entry. Never throws for a test it cannot run: that is a SKIP with the reason; a malformed value
 * (an smp expression it cannot evaluate, an unterminated quote) is a CfgError, a problem of the cfg file.
 * @param {import('./cfg.mjs').CfgEntry} e
 * @param {PlanEnv} env
 * @returns {TestPlan}
 */
export function planTest(e, env) {
  const timeout = e.timeout ?? DEFAULT_TIMEOUT;
  /** @type {TestPlan} */
  const plan = {
    name: e.name, file: e.file, append: shellWords(e.testArgs ?? '').join(' '),
    smp: e.smp === undefined ? 1 : evalSmp(e.smp, smpEnv(e, env)), memoryMiB: QEMU_VIRT_DEFAULT_MIB, mte: false, gic: 'v2', pmu: true,
    timeoutMs: parseDuration(timeout), timeout, migration: e.groups.includes('migration'), manual: e.groups.includes('nodefault'),
  };
  const skip = (reason) => { plan.skip ??= reason; };
  if (e.arch !== undefined && e.arch !== env.arch) skip(`${e.arch} only`);
  if (e.accel !== undefined && !['kvm', 'tcg'].includes(e.accel)) skip(`vmm-lite: no accel ${e.accel} yet`);
  if (e.machine !== undefined && e.machine !== 'virt') skip(`${e.machine} only`);
  if (e.check !== undefined) skip(`vmm-lite: no host files to check (${e.check})`);
  if (e.disabledIf !== undefined) {
    const disabled = evalDisabledIf(e.disabledIf, env);
    if (disabled === undefined) skip(`cannot evaluate disabled_if: ${e.disabledIf}`);
    else if (disabled) skip(`disabled because: ${e.disabledIf}`);
  }
  if (!/\.flat$/.test(e.file)) skip(`not a .flat kernel: ${e.file}`);
  applyQemuParams(plan, shellWords(e.qemuParams ?? ''), skip);
  if (plan.smp > 8) skip(`vmm-lite: no more than 8 vCPUs (smp ${plan.smp})`);
  return plan;
}

/**
 * The environment an entry's `smp` is evaluated in: `$MAX_SMP` is `env.itsSmp` for the `its` group when set.
 * @param {import('./cfg.mjs').CfgEntry} e @param {PlanEnv} env
 */
function smpEnv(e, env) {
  return env.itsSmp !== undefined && e.groups.includes('its') ? { ...env, maxSmp: env.itsSmp } : env;
}

/**
 * The `disabled_if` forms the cfg uses: `[[ "$TARGET" != qemu ]]` / `==`. Undefined for anything else.
 * @param {string} expr @param {PlanEnv} env @returns {boolean | undefined}
 */
export function evalDisabledIf(expr, env) {
  const m = /^\[\[\s*"?\$\{?TARGET\}?"?\s*(!=|==|=)\s*"?([\w-]+)"?\s*\]\]$/.exec(expr.trim());
  if (!m) return undefined;
  return m[1] === '!=' ? env.target !== m[2] : env.target === m[2];
}

/**
 * Translate qemu_params words into the plan (memory, MTE, smp, -append), or a SKIP for what vmm-lite lacks.
 * @param {TestPlan} plan @param {string[]} words @param {(reason: string) => void} skip
 */
function applyQemuParams(plan, words, skip) {
  for (let i = 0; i < words.length; i++) {
    const opt = words[i];
    const arg = () => {
      if (i + 1 >= words.length) throw new CfgError(`test '${plan.name}': ${opt} needs a value`);
      return words[++i];
    };
    if (opt === '-m') {
      const m = /^(\d+)([MG]?)$/i.exec(arg().replace(/^size=/, ''));
      if (!m) throw new CfgError(`test '${plan.name}': cannot read -m ${words[i]}`);
      plan.memoryMiB = Number(m[1]) * (m[2].toUpperCase() === 'G' ? 1024 : 1);
    } else if (opt === '-machine' || opt === '-M') {
      for (const prop of arg().split(',')) {
        const [key, value = 'on'] = prop.split('=');
        if (key === 'virt' || key === '' || key === 'type' && value === 'virt') continue;
        if (key === 'mte') plan.mte = value === 'on';
        else if (key === 'gic-version' && (value === '2' || value === '3')) plan.gic = value === '2' ? 'v2' : 'v3';
        else skip(`vmm-lite: no ${missingMachineProperty(key, value)} yet`);
      }
    } else if (opt === '-cpu') {
      const [model, ...props] = arg().split(',');
      if (model !== 'max') skip(`vmm-lite: no -cpu ${model} yet (only max)`);
      // -cpu max has a PMU unless pmu=off, on QEMU's virt and on vmm-lite (VirtMachineOptions.pmu).
      for (const p of props) {
        if (/^pmu(=on)?$/.test(p)) plan.pmu = true;
        else if (p === 'pmu=off') plan.pmu = false;
        else skip(`vmm-lite: no ${missingCpuProperty(p)} yet`);
      }
    } else if (opt === '-smp') {
      const n = Number(arg().split(',')[0].replace(/^cpus=/, ''));
      if (!Number.isSafeInteger(n) || n < 1) throw new CfgError(`test '${plan.name}': cannot read -smp ${words[i]}`);
      plan.smp = n;
    } else if (opt === '-append') {
      plan.append = arg();
    } else if (opt in MISSING_OPTIONS) {
      skip(`vmm-lite: no ${MISSING_OPTIONS[/** @type {keyof typeof MISSING_OPTIONS} */ (opt)]} yet`);
      if (i + 1 < words.length && !words[i + 1].startsWith('-')) i++;
    } else {
      skip(`vmm-lite: no ${opt} yet`);
      if (i + 1 < words.length && !words[i + 1].startsWith('-')) i++;
    }
  }
}
