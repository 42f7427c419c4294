/**
 * Reading NDJSON records without losing what the API sent: integers past
 * 2^53 (64-bit ids, amounts in minor units) become bigint, not a rounded
 * double, and date-times keep their microseconds.
 */

/** A run of 16 or more digits: the only place a JSON number can exceed 2^53. */
const LONG_DIGITS = /\d{16}/;
/** Deepest nesting read; a record deeper than this is refused rather than overflow the stack. */
const MAX_DEPTH = 256;

class Reader {
  private at = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at character ${this.at} of a record`);
  }

  private space(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.space();
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail('unexpected token');
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    this.at++;
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.text[this.at++] !== ':') this.fail('expected ":"');
      out[key] = this.value(depth + 1);
      this.space();
      const next = this.text[this.at++];
      if (next === '}') return out;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.space();
      const next = this.text[this.at++];
      if (next === ']') return out;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    const start = this.at;
    this.at++;
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x5c) this.at += 2;
      else if (c === 0x22) {
        this.at++;
        return JSON.parse(t.slice(start, this.at)) as string;
      } else this.at++;
    }
    return this.fail('unterminated string');
  }

  private number(): number | bigint {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (!match) return this.fail('malformed number');
    this.at += match[0].length;
    const n = Number(match[0]);
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(n)) return BigInt(match[0]);
    return n;
  }

  end(): void {
    this.space();
    if (this.at !== this.text.length) this.fail('trailing characters');
  }
}

/**
 * Parses one NDJSON line. Lines without a long digit run (nearly all) go
 * through JSON.parse; the others through an exact reader that keeps integers
 * past 2^53 as bigint.
 */
export function parseRecordLine(line: string): Record<string, unknown> {
  let value: unknown;
  if (!LONG_DIGITS.test(line)) value = JSON.parse(line);
  else {
    const reader = new Reader(line);
    value = reader.value(0);
    reader.end();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SyntaxError('a record line is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An id as exact text: strings as they are, numbers (and bigints) in their decimal form. */
export function idText(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(?:(Z)|([+-]\d{2})(?::?(\d{2}))?)$/i;

/**
 * Microseconds since the epoch of an ISO 8601 date-time with an offset, or
 * undefined. Digits past the microsecond are dropped (Parquet's MICROS unit).
 */
export function parseMicros(value: string): bigint | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, seconds = '', fraction = '', zulu, hours, minutes = '00'] = m;
  const ms = Date.parse(`${seconds}${zulu ? 'Z' : `${hours ?? ''}:${minutes}`}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}
