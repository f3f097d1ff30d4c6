// kvm-unit-tests' unittests.cfg: parse the sections and their keys, the way the suite's own runner reads them
// (scripts/common.bash in kvm-unit-tests: one `key = value` per line, values later shell-expanded), and evaluate the
// little bash the values use (`$MAX_SMP`, `$((...))` arithmetic, quoted test_args, durations).

/**
 * @typedef {object} CfgEntry  one `[name]` section
 * @property {string} name
 * @property {number} line        1-based line of the `[name]` header
 * @property {string} file        the kernel, e.g. `selftest.flat`
 * @property {string} [smp]       raw value, e.g. `2`, `$MAX_SMP`, `$((($MAX_SMP < 8)?$MAX_SMP:8))`
 * @property {string} [testArgs]  raw value of test_args (shell words, still quoted)
 * @property {string} [qemuParams] raw value of qemu_params (or the older extra_params)
 * @property {string[]} groups
 * @property {string} [accel]
 * @property {string} [arch]
 * @property {string} [machine]
 * @property {string} [check]
 * @property {string} [timeout]   raw, e.g. `10s`
 * @property {string} [disabledIf]
 */

/** Keys the QEMU target reads, cfg spelling → CfgEntry field. kvmtool_params and unknown keys are ignored. */
const KEYS = {
  file: 'file', smp: 'smp', test_args: 'testArgs', qemu_params: 'qemuParams', extra_params: 'qemuParams',
  groups: 'groups', accel: 'accel', arch: 'arch', machine: 'machine', check: 'check', timeout: 'timeout',
  disabled_if: 'disabledIf',
};

/** A problem in the cfg file itself (the script reports it and exits 1). */
export class CfgError extends Error {}

/**
 * Parse unittests.cfg text into its sections, in file order. Lines starting with `#` are comments; a
 * `qemu_params = """` value runs to the closing `"""` (as the suite allows). Throws CfgError on a key outside a
 * section, a section without `file`, or a name given twice.
 * @param {string} text
 * @returns {CfgEntry[]}
 */
export function parseCfg(text) {
  /** @type {CfgEntry[]} */
  const entries = [];
  /** @type {CfgEntry | undefined} */
  let cur;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      cur = { name: header[1].trim(), line: i + 1, file: '', groups: [] };
      if (cur.name === '') throw new CfgError(`line ${i + 1}: empty section name`);
      if (entries.some((e) => e.name === cur.name)) throw new CfgError(`line ${i + 1}: test '${cur.name}' is defined twice`);
      entries.push(cur);
      continue;
    }
    const kv = /^([a-z_]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue; // the suite's reader ignores lines it does not recognise
    const field = KEYS[/** @type {keyof typeof KEYS} */ (kv[1])];
    if (field === undefined) continue;
    if (cur === undefined) throw new CfgError(`line ${i + 1}: '${kv[1]}' outside any [test] section`);
    let value = kv[2].trim();
    if (field === 'qemuParams' && value.startsWith('"""')) {
      const parts = [value.slice(3)];
      while (!parts.at(-1).includes('"""')) {
        if (++i >= lines.length) throw new CfgError(`test '${cur.name}': unterminated """ value`);
        parts.push(lines[i]);
      }
      parts[parts.length - 1] = parts.at(-1).slice(0, parts.at(-1).indexOf('"""'));
      value = parts.join(' ').replace(/\\\s/g, ' ').trim();
    }
    if (field === 'groups') cur.groups = value.split(/\s+/).filter(Boolean);
    else cur[field] = value;
  }
  for (const e of entries) if (e.file === '') throw new CfgError(`line ${e.line}: test '${e.name}' has no 'file'`);
  return entries;
}

/**
 * Split a value into words as bash would after `eval` (single quotes, double quotes, backslashes), without any
 * expansion. Throws CfgError on an unterminated quote.
 * @param {string} s
 * @returns {string[]}
 */
export function shellWords(s) {
  const words = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new CfgError(`unterminated ' in: ${s}`);
      word += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) j++;
        word += s[j];
      }
      if (j >= s.length) throw new CfgError(`unterminated " in: ${s}`);
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Evaluate an `smp` value: a number, `$MAX_SMP`, or bash arithmetic `$((...))` over integers with `+ - * / %`,
 * comparisons, `&& ||`, `!` and `?:`, after substituting `$MAX_SMP`. Throws CfgError on anything else (nothing is
 * handed to a shell).
 * @param {string} raw
 * @param {{ maxSmp: number }} env
 * @returns {number}
 */
export function evalSmp(raw, env) {
  const text = raw.trim().replace(/\$\{?MAX_SMP\}?/g, String(env.maxSmp));
  const arith = /^\$\(\((.*)\)\)$/s.exec(text);
  const n = arith ? evalArith(arith[1]) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new CfgError(`cannot evaluate smp '${raw}'`);
  return n;
}

/**
 * Integer arithmetic as bash's `$(( ))` for the operators unittests.cfg uses (a small recursive-descent parser).
 * @param {string} expr
 * @returns {number}
 */
export function evalArith(expr) {
  const tokens = expr.match(/\d+|&&|\|\||[<>=!]=|[-+*/%<>!?:()]|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (t) => {
    if (tokens[pos] !== t) throw new CfgError(`arithmetic '${expr}': expected '${t}' at '${tokens[pos] ?? 'end'}'`);
    pos++;
  };
  const binary = (next, ops) => () => {
    let v = next();
    while (ops[peek()]) v = ops[tokens[pos++]](v, next());
    return v;
  };
  const b = (x) => (x ? 1 : 0);
  const primary = () => {
    const t = tokens[pos++];
    if (t === '(') { const v = ternary(); take(')'); return v; }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '!') return b(!primary());
    if (t !== undefined && /^\d+$/.test(t)) return Number(t);
    throw new CfgError(`arithmetic '${expr}': unexpected '${t ?? 'end'}'`);
  };
  const div = (x, y) => { if (y === 0) throw new CfgError(`arithmetic '${expr}': division by 0`); return Math.trunc(x / y); };
  const mul = binary(primary, { '*': (x, y) => x * y, '/': div, '%': (x, y) => x - div(x, y) * y });
  const add = binary(mul, { '+': (x, y) => x + y, '-': (x, y) => x - y });
  const rel = binary(add, { '<': (x, y) => b(x < y), '>': (x, y) => b(x > y), '<=': (x, y) => b(x <= y), '>=': (x, y) => b(x >= y) });
  const eq = binary(rel, { '==': (x, y) => b(x === y), '!=': (x, y) => b(x !== y) });
  const and = binary(eq, { '&&': (x, y) => b(x && y) });
  const or = binary(and, { '||': (x, y) => b(x || y) });
  function ternary() {
    const c = or();
    if (peek() !== '?') return c;
    pos++;
    const x = ternary();
    take(':');
    const y = ternary();
    return c ? x : y;
  }
  const v = ternary();
  if (pos !== tokens.length) throw new CfgError(`arithmetic '${expr}': unexpected '${tokens[pos]}'`);
  return v;
}

/**
 * A timeout as coreutils `timeout` reads it (`90`, `10s`, `2m`, `1h`, `1d`, fractions allowed), in milliseconds.
 * @param {string} raw
 * @returns {number}
 */
export function parseDuration(raw) {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(raw.trim());
  if (!m) throw new CfgError(`cannot read timeout '${raw}'`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
  return Math.round(Number(m[1]) * unit * 1000);
}
