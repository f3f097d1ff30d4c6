/**
 * Encoding patterns with named fields, for the instruction specification (spec/*.ts), in the manner of QEMU's
 * decodetree: tokens separated by spaces, bit 31 first, each either a run of fixed bits (`0`, `1`, or `-` for a bit
 * the encoding ignores) or a field `name:width` named as the Arm ARM names it. The widths add up to 32:
 *
 *     'sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5'      ADD (immediate)
 *
 * A field name may appear once. The decoder (decode.ts) compiles the fixed bits to a mask and value; the
 * specification's `decode` receives the fields' values by name.
 */

/** One named field: `width` bits from bit `lsb` up. */
export interface FieldSpec {
  readonly name: string;
  readonly lsb: number;
  readonly width: number;
}

/** A parsed pattern: the fixed bits (`mask`, `value`) and the named fields, most significant first. */
export interface ParsedPattern {
  readonly mask: number;
  readonly value: number;
  readonly fields: readonly FieldSpec[];
  /**
   * The fields of a word as an object read by name: one small object per call, whose fields are getters on a
   * prototype made for this pattern (creating it stores only the word; an object with a property per field, built
   * by name, cost several times more, and words are decoded on every decode-cache miss).
   */
  readonly read: (insn: number) => Fields;
}

/** The field values of an instruction word, by name. */
export type Fields<K extends string = string> = { readonly [P in K]: number };

/** Whether `pattern` uses the named-field syntax (a letter-per-bit pattern has no `:`). */
export function isNamedPattern(pattern: string): boolean {
  return pattern.includes(':');
}

/** Parse a named-field pattern; throws on a malformed one (a table error, found at import). */
export function parsePattern(pattern: string): ParsedPattern {
  let bit = 32;
  let mask = 0;
  let value = 0;
  const fields: FieldSpec[] = [];
  const fail = (why: string): never => {
    throw new Error(`encoding pattern "${pattern}": ${why}`);
  };
  for (const token of pattern.trim().split(/\s+/)) {
    const named = /^([A-Za-z][A-Za-z0-9]*):([1-9][0-9]?)$/.exec(token);
    if (named !== null) {
      const width = Number(named[2]);
      bit -= width;
      if (bit < 0) fail('more than 32 bits');
      if (fields.some((f) => f.name === named[1])) fail(`field ${named[1]} appears twice`);
      fields.push({ name: named[1]!, lsb: bit, width });
      continue;
    }
    if (!/^[01-]+$/.test(token)) fail(`bad token "${token}"`);
    for (const c of token) {
      bit--;
      if (bit < 0) fail('more than 32 bits');
      if (c === '-') continue;
      mask |= 1 << bit;
      if (c === '1') value |= 1 << bit;
    }
  }
  if (bit !== 0) fail(`has ${32 - bit} bits, not 32`);
  return { mask: mask >>> 0, value: value >>> 0, fields, read: fieldReader(fields) };
}

/** A word's fields by name, the way ParsedPattern.read gives them. */
function fieldReader(fields: readonly FieldSpec[]): (insn: number) => Fields {
  const proto: object = {};
  for (const f of fields) {
    const { lsb } = f;
    const mask = f.width === 32 ? 0xffff_ffff : (1 << f.width) - 1;
    Object.defineProperty(proto, f.name, {
      get(this: { readonly w: number }): number {
        return ((this.w >>> lsb) & mask) >>> 0;
      },
      enumerable: true,
    });
  }
  // One constructor per pattern, so that every object of a pattern has the same shape and prototype.
  const Word = function (this: { w: number }, w: number): void {
    this.w = w;
  } as unknown as new (w: number) => Fields;
  Word.prototype = proto;
  return (insn) => new Word(insn);
}

/** The values of `fields` in the instruction word `insn`, as a plain object keyed by field name (tests, tools). */
export function fieldValues(fields: readonly FieldSpec[], insn: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) out[f.name] = f.width === 32 ? insn >>> 0 : (insn >>> f.lsb) & ((1 << f.width) - 1);
  return out;
}
