/**
 * Records as the API sent them. `JSON.parse` rounds numbers past 2^53 (64-bit
 * ids, amounts in minor units), so the connector writes each record's own
 * JSON text from the response and compares ids by their exact text. These
 * functions read texts that `JSON.parse` has already accepted: they find
 * where values are, they do not validate.
 */

import { PermanentError } from './errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** The index just past the string whose opening quote is at `at`. */
function skipString(text: string, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    for (let i = quote - 1; text.charCodeAt(i) === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index just past the value that starts at `at` (no space before it). */
function skipValue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return skipString(text, at);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) i = skipString(text, i) - 1;
      else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if ((d === CLOSE_OBJECT || d === CLOSE_ARRAY) && --depth === 0) return i + 1;
    }
    throw new SyntaxError('unterminated object or array');
  }
  let i = at;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
    i++;
  }
  return i;
}

/** [start, end) of the value of `key` in the object at `at` (the last one, as JSON.parse keeps), or undefined. */
function memberSpan(text: string, at: number, key: string): [number, number] | undefined {
  let found: [number, number] | undefined;
  let i = skipSpace(text, at + 1);
  while (text.charCodeAt(i) === QUOTE) {
    const keyEnd = skipString(text, i);
    const raw = text.slice(i + 1, keyEnd - 1);
    const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) throw new SyntaxError('expected a colon');
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    if (name === key) found = [start, end];
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipSpace(text, i + 1);
  }
  return found;
}

/** [start, end) of the value at a dotted path (`""` is the whole text; digits index arrays), or undefined. */
function pathSpan(text: string, path: string): [number, number] | undefined {
  let start = skipSpace(text, 0);
  let end = skipValue(text, start);
  if (path === '') return [start, end];
  for (const step of path.split('.')) {
    const c = text.charCodeAt(start);
    if (c === OPEN_OBJECT) {
      const span = memberSpan(text, start, step);
      if (!span) return undefined;
      [start, end] = span;
    } else if (c === OPEN_ARRAY && /^\d+$/.test(step)) {
      const item = arraySpans(text, start)[Number(step)];
      if (!item) return undefined;
      [start, end] = item;
    } else {
      return undefined;
    }
  }
  return [start, end];
}

/** [start, end) of every item of the array at `at`. */
function arraySpans(text: string, at: number): [number, number][] {
  const spans: [number, number][] = [];
  let i = skipSpace(text, at + 1);
  while (i < text.length && text.charCodeAt(i) !== CLOSE_ARRAY) {
    const end = skipValue(text, i);
    spans.push([i, end]);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipSpace(text, i + 1);
  }
  return spans;
}

/** `text` on one line: the spaces between tokens go when it spans lines; strings keep every character. */
function oneLine(text: string): string {
  if (!/[\r\n]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (!isSpace(c)) {
      out += text[i];
    }
  }
  return out;
}

/**
 * How many object members `text` (a JSON text `JSON.parse` accepted) holds at
 * every depth: each member has the one colon outside a string. Compared with
 * the members of the parsed value, it finds a key given twice in one object,
 * which `JSON.parse` silently collapses to its last value.
 */
export function memberCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = skipString(text, i) - 1;
    else if (c === COLON) count++;
  }
  return count;
}

/**
 * The JSON text of each item of the array at `path` in `body` (a text that
 * `JSON.parse` accepted), exactly as sent, each on one line. Undefined when
 * the path does not lead to an array.
 */
export function arrayItemTexts(body: string, path: string): string[] | undefined {
  const span = pathSpan(body, path);
  if (!span || body.charCodeAt(span[0]) !== OPEN_ARRAY) return undefined;
  return arraySpans(body, span[0]).map(([start, end]) => oneLine(body.slice(start, end)));
}

/**
 * The exact text of the scalar at `path` in `body`: a string's value, a
 * number's literal as sent (`12345678901234567891`, not its rounded double);
 * undefined for anything else.
 */
export function scalarTextAt(body: string, path: string): string | undefined {
  return scalarText(body, pathSpan(body, path));
}

function scalarText(text: string, span: [number, number] | undefined): string | undefined {
  if (!span) return undefined;
  const c = text.charCodeAt(span[0]);
  const raw = text.slice(span[0], span[1]);
  if (c === QUOTE) return JSON.parse(raw) as string;
  return c === 0x2d || (c >= 0x30 && c <= 0x39) ? raw : undefined;
}

/** The exact text of the scalar under the key `field` (dots and all) of the object `text`. */
function fieldText(text: string, field: string): string | undefined {
  const at = skipSpace(text, 0);
  return text.charCodeAt(at) === OPEN_OBJECT ? scalarText(text, memberSpan(text, at, field)) : undefined;
}

/** Each record object read from an API response, with its own JSON text as the API sent it. */
const texts = new WeakMap<object, string>();

/** Remembers `record`'s JSON text as the API sent it (the source does this for every record it reads). */
export function keepRecordText(record: object, text: string): void {
  texts.set(record, text);
}

/**
 * The record's JSON text as the API sent it (one line), or undefined for a
 * record that did not come from a response (a fake, or a copy): how such a
 * record is written is `recordLine`'s business.
 */
export function recordText(record: object): string | undefined {
  return texts.get(record);
}

/**
 * The record's NDJSON line, without its line break: the API's own text when known.
 * A record without it (made in code, or a copy of one read from a response) is
 * written as `JSON.stringify` gives it, unless that would write other digits than
 * the record may have been sent with (an integer past 2^53): then it throws.
 */
export function recordLine(record: object): string {
  const text = texts.get(record);
  if (text !== undefined) return text;
  const unsafe = unsafeNumberIn(record);
  if (unsafe) {
    throw new PermanentError(
      `A record to be written has no JSON text from the API kept with it, and its field ${shortPath(unsafe.path)} holds ${String(unsafe.value)}, ` +
        `an integer past 2^53 that JSON.parse may have rounded: written from its parsed value, its digits could differ from what the API sent. ` +
        `A Source must keep each record's text (keepRecordText) and pass its record objects on as they are, not copies.`,
    );
  }
  return JSON.stringify(record);
}

/** A path of a deeply nested field, cut in the middle so a message stays short. */
function shortPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-100)}`;
}

/**
 * The first number in `value` (depth first, in key order) that is an integer past
 * ±2^53, with its path: such a number may be a rounded 64-bit value. Iterative, so
 * deep nesting cannot overflow the stack.
 */
function unsafeNumberIn(value: unknown): { path: string; value: number } | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'number') {
      if (Number.isInteger(current) && !Number.isSafeInteger(current))
        return { path: path || '(the record)', value: current };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push([current[i], `${path}[${i}]`]);
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, member] = entries[i]!;
        const step = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
        stack.push([member, `${path}${step}`]);
      }
    }
  }
  return undefined;
}

/**
 * The exact text of a record's id, as ids are compared everywhere: a string
 * id is itself; an integer id within ±2^53 its digits; any other number
 * (past 2^53, a fraction) the literal the API sent, read from the record's
 * text (`line`, or the text kept for it), since its parsed value may be rounded.
 */
export function exactId(record: Record<string, unknown>, idField: string, line?: string): string {
  const value = Object.hasOwn(record, idField) ? record[idField] : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  const text = line ?? texts.get(record);
  const exact = text === undefined ? undefined : fieldText(text, idField);
  return exact ?? String(value);
}
