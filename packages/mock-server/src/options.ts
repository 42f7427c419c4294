import { ConfigError } from '@rdc/contracts';
import { checkCombinations } from './option-rules.js';

export const ENDPOINTS = ['sales', 'customers', 'products'] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

export const PAGINATION_STYLES = ['offset', 'page', 'link-header', 'body-cursor', 'starting-after'] as const;
export type PaginationStyle = (typeof PAGINATION_STYLES)[number];

export const TOTAL_LOCATIONS = ['body', 'x-total-count', 'wp'] as const;
export type TotalIn = (typeof TOTAL_LOCATIONS)[number];

export const BODY_NEXT = ['cursor', 'url'] as const;
export type BodyNext = (typeof BODY_NEXT)[number];

export const RETRY_AFTER_FORMATS = ['seconds', 'http-date'] as const;
export type RetryAfterFormat = (typeof RETRY_AFTER_FORMATS)[number];

/** Page size when the request names none, and the largest one served. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 250;

export interface MockApiOptions {
  /** Interface to listen on. @default "127.0.0.1" (the CLI: HOST, default "0.0.0.0") */
  host: string;
  /** Port; 0 picks a free one. @default 0 (the CLI: PORT, default 8080) */
  port: number;
  /** Seed of the dataset: same seed and sizes give byte-identical responses. @default 42 */
  seed: number;
  /** Number of sales. @default 33000 */
  sales: number;
  /** Number of customers. @default 5000 */
  customers: number;
  /** Number of products. @default 1200 */
  products: number;
  /** Earliest record timestamp (inclusive). @default 2024-01-01T00:00:00Z */
  dataStart: Date;
  /** Latest record timestamp (exclusive). @default 2026-01-01T00:00:00Z */
  dataEnd: Date;
  /** One pagination style per server. @default "offset" */
  pagination: PaginationStyle;
  /** `page` style: number of the first page. @default 1 */
  firstPage: 0 | 1;
  /** `page` style: where the total goes: the body, `X-Total-Count`, or `X-WP-Total` + `X-WP-TotalPages`. @default "body" */
  totalIn: TotalIn;
  /** The body is the records array itself (`page` with a header total, or `link-header`). @default false */
  bareArray: boolean;
  /** Dotted path of the records in the body. @default "data" @example "results.rows" */
  recordsPath: string;
  /** Deepest offset served (`offset`, `page`); deeper gets 400 `offset_too_deep`. @default undefined (no limit) */
  maxOffset: number | undefined;
  /** `body-cursor` style: the body's `next_cursor` (a cursor) or `next` (a full URL to follow). @default "cursor" */
  bodyNext: BodyNext;
  /**
   * Shopify-style next links (Link header or body URL): they carry only `limit` and an
   * opaque `page_info`, and a request with `page_info` and any other filter gets 400. @default false
   */
  strictLinks: boolean;
  /** Origin written into next links instead of this server's own (a link to another host). @default undefined */
  nextLinkBase: string | undefined;
  /** When set, data requests need the header `<apiKeyHeader>: <apiKey>`. @default undefined */
  apiKey: string | undefined;
  /** Header that carries `apiKey`. @default "X-API-Key" @example "X-Shopify-Access-Token" */
  apiKeyHeader: string;
  /** When set, data requests need `Authorization: Bearer <bearerToken>`. @default undefined */
  bearerToken: string | undefined;
  /** With `basicSecret`: data requests need `Authorization: Basic base64(user:secret)`. @default undefined */
  basicUser: string | undefined;
  basicSecret: string | undefined;
  /** When set, data requests need the query parameter `<queryKeyParam>=<queryKey>`. @default undefined */
  queryKey: string | undefined;
  /** @default "api_key" */
  queryKeyParam: string;
  /** Added latency per data request, in ms. @default 0 */
  latencyMs: number;
  /** Uniform jitter around `latencyMs` (± this many ms). @default 0 */
  latencyJitterMs: number;
  /** Share of data requests delayed by `slowMs` more. @default 0 */
  slowRate: number;
  /** Extra delay of a slow response, in ms. @default 5000 */
  slowMs: number;
  /** Share of data requests answered 500 or 503. @default 0 */
  errorRate: number;
  /** Share of data requests whose socket is destroyed mid-response. @default 0 */
  resetRate: number;
  /** Share of data requests answered 200 with truncated JSON. @default 0 */
  garbageRate: number;
  /** Share of data requests answered 429 with `Retry-After`. @default 0 */
  rate429: number;
  /** `Retry-After` of injected 429s, in seconds. @default 1 */
  retryAfterSeconds: number;
  /** `Retry-After` of injected 429s as delay-seconds or an HTTP-date. @default "seconds" */
  retryAfterFormat: RetryAfterFormat;
  /** Token-bucket limit in requests per second; 0 turns it off. @default 0 */
  rateLimit: number;
  /** Bucket capacity (largest burst). @default max(1, ceil(rateLimit / 10)) */
  rateLimitBurst: number;
  /** Records inserted per second into each endpoint, timestamped "now". @default 0 */
  growthPerSecond: number;
  /** Seed of the fault schedule; unset draws a random one. @default undefined */
  faultSeed: number | undefined;
}

type Kind =
  | { type: 'int'; min: number; max?: number }
  | { type: 'number'; min: number; max?: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly (string | number)[] }
  | { type: 'date' }
  | { type: 'string' };

export interface OptionField {
  key: keyof MockApiOptions;
  env: string;
  flag: string;
  kind: Kind;
  optional: boolean;
  help: string;
}

const rate: Kind = { type: 'number', min: 0, max: 1 };
const ms: Kind = { type: 'int', min: 0 };
const count = (min: number): Kind => ({ type: 'int', min, max: 9_999_999 });
const seed: Kind = { type: 'int', min: 0, max: 2 ** 32 - 1 };

/** `latencyJitterMs` → `latency-jitter-ms`; `rate429` → `rate-429`. */
const words = (key: string): string[] => key.split(/(?=[A-Z])|(?<=[a-z])(?=\d)/).map((w) => w.toLowerCase());

/** An option whose env variable is `MOCK_<SNAKE_CASE>` and whose flag is `--<kebab-case>`. */
function field(key: keyof MockApiOptions, kind: Kind, help: string, optional = false): OptionField {
  const parts = words(key);
  const env = key === 'host' || key === 'port' ? key.toUpperCase() : `MOCK_${parts.join('_').toUpperCase()}`;
  return { key, env, flag: parts.join('-'), kind, help, optional };
}

/** Every option with its env variable and CLI flag, in usage order. */
export const OPTION_FIELDS: readonly OptionField[] = [
  field('host', { type: 'string' }, 'interface to listen on'),
  field('port', { type: 'int', min: 0, max: 65535 }, 'port (0 = a free port)'),
  field('seed', seed, 'dataset seed'),
  field('sales', count(0), 'number of sales'),
  field('customers', count(1), 'number of customers'),
  field('products', count(1), 'number of products'),
  field('dataStart', { type: 'date' }, 'first timestamp (inclusive)'),
  field('dataEnd', { type: 'date' }, 'last timestamp (exclusive)'),
  field('pagination', { type: 'enum', values: PAGINATION_STYLES }, 'pagination style'),
  field('firstPage', { type: 'enum', values: [0, 1] }, 'page style: number of the first page'),
  field('totalIn', { type: 'enum', values: TOTAL_LOCATIONS }, 'page style: where the total goes'),
  field('bareArray', { type: 'bool' }, 'the body is the records array'),
  field('recordsPath', { type: 'string' }, 'dotted path of the records in the body'),
  field('maxOffset', { type: 'int', min: 0 }, 'deepest offset served', true),
  field('bodyNext', { type: 'enum', values: BODY_NEXT }, 'body-cursor style: a next cursor or a next URL'),
  field('strictLinks', { type: 'bool' }, 'next links carry only page_info and limit; other params get 400'),
  field('nextLinkBase', { type: 'string' }, 'origin written into next links', true),
  field('apiKey', { type: 'string' }, 'required API key header value', true),
  field('apiKeyHeader', { type: 'string' }, 'header that carries the API key'),
  field('bearerToken', { type: 'string' }, 'required bearer token', true),
  field('basicUser', { type: 'string' }, 'basic auth user', true),
  field('basicSecret', { type: 'string' }, 'basic auth secret', true),
  field('queryKey', { type: 'string' }, 'required query key value', true),
  field('queryKeyParam', { type: 'string' }, 'query parameter of the query key'),
  field('latencyMs', ms, 'latency per data request (ms)'),
  field('latencyJitterMs', ms, '± uniform jitter (ms)'),
  field('slowRate', rate, 'share of very slow responses'),
  field('slowMs', ms, 'extra delay of a slow response (ms)'),
  field('errorRate', rate, 'share of 500/503 answers'),
  field('resetRate', rate, 'share of sockets reset mid-response'),
  field('garbageRate', rate, 'share of 200s with truncated JSON'),
  field('rate429', rate, 'share of injected 429s'),
  field('retryAfterSeconds', { type: 'int', min: 0 }, 'Retry-After of injected 429s (s)'),
  field('retryAfterFormat', { type: 'enum', values: RETRY_AFTER_FORMATS }, 'Retry-After as seconds or an HTTP-date'),
  field('rateLimit', { type: 'number', min: 0 }, 'token bucket, requests/s (0 = off)'),
  field('rateLimitBurst', { type: 'int', min: 1 }, 'bucket capacity', true),
  field('growthPerSecond', { type: 'number', min: 0, max: 10_000 }, 'new records/s per endpoint'),
  field('faultSeed', seed, 'seed of the fault schedule', true),
];

const DEFAULTS: Omit<MockApiOptions, 'rateLimitBurst'> = {
  host: '127.0.0.1',
  port: 0,
  seed: 42,
  sales: 33_000,
  customers: 5_000,
  products: 1_200,
  dataStart: new Date('2024-01-01T00:00:00.000Z'),
  dataEnd: new Date('2026-01-01T00:00:00.000Z'),
  pagination: 'offset',
  firstPage: 1,
  totalIn: 'body',
  bareArray: false,
  recordsPath: 'data',
  maxOffset: undefined,
  bodyNext: 'cursor',
  strictLinks: false,
  nextLinkBase: undefined,
  apiKey: undefined,
  apiKeyHeader: 'X-API-Key',
  bearerToken: undefined,
  basicUser: undefined,
  basicSecret: undefined,
  queryKey: undefined,
  queryKeyParam: 'api_key',
  latencyMs: 0,
  latencyJitterMs: 0,
  slowRate: 0,
  slowMs: 5_000,
  errorRate: 0,
  resetRate: 0,
  garbageRate: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  retryAfterFormat: 'seconds',
  rateLimit: 0,
  growthPerSecond: 0,
  faultSeed: undefined,
};

/** The defaults of every option (a fresh copy). */
export function defaultMockOptions(): MockApiOptions {
  return resolveMockOptions({});
}

/** What a value of this kind should be, in words; undefined when `value` fits. */
export function misfit(kind: Kind, value: unknown): string | undefined {
  const range = (k: { min: number; max?: number }): string =>
    k.max === undefined ? `>= ${k.min}` : `between ${k.min} and ${k.max}`;
  switch (kind.type) {
    case 'int':
      return Number.isInteger(value) && (value as number) >= kind.min && (value as number) <= (kind.max ?? Infinity)
        ? undefined
        : `an integer ${range(kind)}`;
    case 'number':
      return Number.isFinite(value) && (value as number) >= kind.min && (value as number) <= (kind.max ?? Infinity)
        ? undefined
        : `a number ${range(kind)}`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'a boolean';
    case 'enum':
      return kind.values.includes(value as string)
        ? undefined
        : `one of ${kind.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'date':
      return value instanceof Date && Number.isFinite(value.getTime()) ? undefined : 'a valid Date';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
  }
}

/** "`errorRate` (MOCK_ERROR_RATE, --error-rate)", for messages about options from any source. */
export function describeOption(key: keyof MockApiOptions): string {
  const field = OPTION_FIELDS.find((f) => f.key === key);
  return field ? `\`${key}\` (${field.env}, --${field.flag})` : `\`${key}\``;
}

function fail(message: string): never {
  throw new ConfigError(`Mock API: ${message}`);
}

/**
 * Fills in defaults and checks every option (types, ranges, combinations).
 * Throws ConfigError naming the option, the bad value and what was expected.
 */
export function resolveMockOptions(input: Partial<MockApiOptions> = {}): MockApiOptions {
  for (const key of Object.keys(input)) {
    if (!OPTION_FIELDS.some((f) => f.key === key)) {
      fail(`unknown option \`${key}\`; expected one of ${OPTION_FIELDS.map((f) => f.key).join(', ')}`);
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(input)) if (value !== undefined) merged[key] = value;
  for (const field of OPTION_FIELDS) {
    const value = merged[field.key];
    if (value === undefined && field.optional) continue;
    const expected = misfit(field.kind, value);
    if (expected !== undefined) {
      fail(`expected ${describeOption(field.key)} to be ${expected}, got \`${String(value)}\` (${typeof value})`);
    }
  }
  const options = merged as unknown as MockApiOptions;
  options.rateLimitBurst ??= Math.max(1, Math.ceil(options.rateLimit / 10));
  checkCombinations(options, (key) => describeOption(key), fail);
  return options;
}
