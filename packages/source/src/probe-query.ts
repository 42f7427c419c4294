import { type BoundFormat, ISO_DATE, ISO_LOCAL, ISO_ZONED, readTimestamp } from '@rdc/contracts';
import { SECRET_PARAM } from './redact.js';

/** A query parameter of the probed URL and its value. */
export interface Param {
  name: string;
  value: string;
}

/** A window bound found in the URL: its parameter, how its value is written and the instant it names. */
export interface BoundParam extends Param {
  format: BoundFormat;
  at: number;
  /** `gte`/`gt`/`lte`/`lt` in the name decide it; other names leave it open. */
  kind: 'inclusive' | 'exclusive' | undefined;
}

/** What the probed URL's query says about the endpoint. */
export interface QueryFacts {
  start: BoundParam | undefined;
  end: BoundParam | undefined;
  /** Time-valued parameters beyond the two bounds (not used as bounds). */
  otherTimes: Param[];
  size: Param | undefined;
  page: Param | undefined;
  offset: Param | undefined;
  /** Parameters sent as they are on every request (`query` in the config). */
  fixed: Param[];
  /** Parameters left out because their name says they carry a credential. */
  credentials: string[];
}

const SIZE_NAMES = /^(limit|per_?page|page_?size|pagesize|size|count|max_?results|rows|take|\$top)$/i;
const PAGE_NAMES = /^(page|p|page_?number|pageno|page_?index)$/i;
const OFFSET_NAMES = /^(offset|skip|start|from|\$skip)$/i;
const OPERATOR = /(?:\[(gte|gt|lte|lt)\]|[_.](gte|gt|lte|lt)|^(gte|gt|lte|lt))$/i;
const START_WORDS = /(min|from|start|after|since|begin|gte|gt)/i;
const END_WORDS = /(max|to|end|before|until|lte|lt)/i;

/** How a bound value is written, or undefined when it is no time the connector can write. */
export function boundFormatOf(value: string): BoundFormat | undefined {
  const real = (type: Parameters<typeof readTimestamp>[1], v: unknown = value) =>
    Number.isFinite(readTimestamp(v, type));
  if (ISO_DATE.test(value)) return real('date') ? 'date' : undefined;
  const zoned = ISO_ZONED.exec(value);
  if (zoned && value.includes('T')) {
    if (!real('datetime')) return undefined;
    return zoned[8] === 'Z' ? 'iso' : 'iso-offset';
  }
  if (ISO_LOCAL.test(value) && value.includes('T')) return real('datetime-local') ? 'iso-local' : undefined;
  // Epoch values from 2001 to 2286: ten digits of seconds or thirteen of milliseconds.
  if (/^\d{10}$/.test(value)) return 'epoch-seconds';
  if (/^\d{13}$/.test(value)) return 'epoch-millis';
  return undefined;
}

/** The instant a bound value names (UTC for values without a zone). */
function instantOf(value: string, format: BoundFormat): number {
  switch (format) {
    case 'date':
      return readTimestamp(value, 'date');
    case 'iso':
    case 'iso-offset':
      return readTimestamp(value, 'datetime');
    case 'iso-local':
      return readTimestamp(value, 'datetime-local');
    case 'epoch-seconds':
      return readTimestamp(value, 'epoch-seconds');
    case 'epoch-millis':
      return readTimestamp(value, 'epoch-millis');
  }
}

/** Whether a bound parameter's name says it includes its value: `created[gte]`, `date_lt`. */
export function boundKindOf(name: string): 'inclusive' | 'exclusive' | undefined {
  const m = OPERATOR.exec(name);
  const op = (m?.[1] ?? m?.[2] ?? m?.[3])?.toLowerCase();
  if (op === undefined) return undefined;
  return op === 'gte' || op === 'lte' ? 'inclusive' : 'exclusive';
}

/** The record field a bound parameter names, if its name carries one: `created_at_min` → `created_at`. */
export function fieldHintOf(name: string): string | undefined {
  const bare = name
    .replace(OPERATOR, '')
    .replace(/[_.-]?(min|max|from|to|start|end|after|before|since|until)$/i, '')
    .replace(/^(min|max|from|to|start|end|after|before|since|until)[_.-]?/i, '');
  return bare === '' ? undefined : bare;
}

/** Sorts the URL's query into window bounds, page size, page or offset, credentials and fixed parameters. */
export function readQuery(params: URLSearchParams): QueryFacts {
  const facts: QueryFacts = {
    start: undefined,
    end: undefined,
    otherTimes: [],
    size: undefined,
    page: undefined,
    offset: undefined,
    fixed: [],
    credentials: [],
  };
  const times: BoundParam[] = [];
  for (const [name, value] of params) {
    if (SECRET_PARAM.test(name)) {
      facts.credentials.push(name);
      continue;
    }
    const format = boundFormatOf(value);
    if (format !== undefined) {
      times.push({ name, value, format, at: instantOf(value, format), kind: boundKindOf(name) });
      continue;
    }
    const integer = /^\d{1,9}$/.test(value);
    if (integer && facts.size === undefined && SIZE_NAMES.test(name)) facts.size = { name, value };
    else if (integer && facts.page === undefined && PAGE_NAMES.test(name)) facts.page = { name, value };
    else if (integer && facts.offset === undefined && OFFSET_NAMES.test(name)) facts.offset = { name, value };
    else facts.fixed.push({ name, value });
  }
  const [start, end] = pickBounds(times);
  facts.start = start;
  facts.end = end;
  facts.otherTimes = times.filter((t) => t !== start && t !== end);
  return facts;
}

/** Of the time-valued parameters, the window's start and end: the earlier value and the later one. */
function pickBounds(times: BoundParam[]): [BoundParam | undefined, BoundParam | undefined] {
  if (times.length === 0) return [undefined, undefined];
  if (times.length === 1) {
    const only = times[0]!;
    const isEnd = END_WORDS.test(only.name) && !START_WORDS.test(only.name);
    return isEnd ? [undefined, only] : [only, undefined];
  }
  const sorted = [...times].sort((a, b) => a.at - b.at);
  return [sorted[0], sorted.at(-1)];
}
