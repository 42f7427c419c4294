import { z } from 'zod';
import { LIMIT_DEFAULTS, MAX_PAGES_PER_RUN_CEILING } from './defaults.js';
import { RecordSchemaSpec } from './record-schema.js';
import { strictObject } from './strict-object.js';
import { parseDuration, parseInstant } from './time-values.js';
import { boundParamsIssue, BOUND_FORMATS, BOUND_KINDS, PARAMS_DEFAULT, timestampFieldIssue } from './endpoint-time.js';
import { parseTimeZone } from './time-zone.js';

/** Service and endpoint names end up in object names and message attributes. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;
const name = z
  .string()
  .regex(NAME_PATTERN, 'expected lowercase letters, digits or "_", starting with a letter (2-40 characters)');

/** A dotted JSON path such as `data` or `results.rows`; empty means the body itself. */
const jsonPath = z
  .string()
  .regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'expected a dotted path like "results.rows"');

/** Where the total sits in a response: a JSON path in the body, or a header. */
export const TotalLocation = z.discriminatedUnion('from', [
  z.strictObject({
    from: z.literal('body'),
    path: jsonPath.min(1),
    /** Whether the number counts items or pages. @default "items" */
    of: z.enum(['items', 'pages']).default('items'),
  }),
  z.strictObject({
    from: z.literal('header'),
    /** e.g. `X-Total-Count`, `X-WP-Total`, `X-WP-TotalPages`. */
    name: z.string().min(1),
    of: z.enum(['items', 'pages']).default('items'),
  }),
]);
export type TotalLocation = z.infer<typeof TotalLocation>;

/** Largest page size the connector asks for, whatever an endpoint allows. */
export const MAX_PAGE_SIZE = 250;
const pageSize = z.number().int().min(1).max(MAX_PAGE_SIZE);

export const Pagination = z.discriminatedUnion('style', [
  z.strictObject({
    style: z.literal('offset'),
    pageSize,
    limitParam: z.string().min(1).default('limit'),
    offsetParam: z.string().min(1).default('offset'),
    /** Deepest offset the API serves; a window that needs more is split into time slices. */
    maxOffset: z.number().int().positive().optional(),
  }),
  z.strictObject({
    style: z.literal('page'),
    pageSize,
    pageParam: z.string().min(1).default('page'),
    sizeParam: z.string().min(1).default('per_page'),
    /** 0 or 1: the number of the first page. @default 1 */
    firstPage: z.union([z.literal(0), z.literal(1)]).default(1),
    maxPage: z.number().int().positive().optional(),
  }),
  z.strictObject({
    style: z.literal('link-header'),
    pageSize,
    sizeParam: z.string().min(1).default('limit'),
  }),
  z.strictObject({
    style: z.literal('body-cursor'),
    pageSize,
    sizeParam: z.string().min(1).default('limit'),
    /** JSON path of the next cursor (or next URL) in the body. */
    nextPath: jsonPath.min(1),
    /** Query parameter that carries the cursor; omit when the body holds a full next URL. */
    cursorParam: z.string().min(1).optional(),
  }),
  z.strictObject({
    style: z.literal('starting-after'),
    pageSize,
    sizeParam: z.string().min(1).default('limit'),
    cursorParam: z.string().min(1).default('starting_after'),
    hasMorePath: jsonPath.min(1).default('has_more'),
  }),
]);
export type Pagination = z.infer<typeof Pagination>;
export const COUNTED_STYLES = ['offset', 'page'] as const;

/** A URL path with no "." or ".." segment and no empty one: it cannot leave the base URL's path. */
const endpointPath = z
  .string()
  .regex(/^\/[A-Za-z0-9_./-]*$/, 'expected a URL path starting with "/", e.g. "/sales"')
  .refine(
    (path) =>
      !path
        .split('/')
        .slice(1, -1)
        .some((s) => s === '' || s === '.' || s === '..') && !/\/\.{1,2}$/.test(path),
    'expected a path under the base URL: no "." or ".." segments and no "//", e.g. "/v1/sales"',
  );

/** A config value that the CLI would parse: checked at load with the same parser, so it fails at start-up. */
const parsedWith = (parse: (value: string, where: string) => unknown, expected: string) =>
  z.string().superRefine((value, ctx) => {
    try {
      parse(value, `"${value}"`);
    } catch {
      ctx.addIssue({ code: 'custom', message: expected });
    }
  });

/** Whether a record schema names a field, as required (`id`) or optional (`id?`). */
const names = (schema: RecordSchemaSpec, field: string) =>
  Object.hasOwn(schema, field) || Object.hasOwn(schema, `${field}?`);

/** How an endpoint's sealed runs are compacted into Parquet (see EndpointConfig.parquet). */
export const ParquetConfig = strictObject({
  /** Compact the endpoint's sealed runs. @default true (when `parquet` is given) */
  enabled: z.boolean().default(true),
  /** A partition's file is split past this many MiB; also bounds the file a worker holds in memory. @default 128 */
  maxFileMB: z.number().int().min(1).max(2048).default(128),
  /** Rows per row group: what the writer holds in memory before encoding. @default 20000 */
  rowGroupRows: z.number().int().min(100).max(1_000_000).default(20_000),
  /** Compression of the Parquet pages. @default "snappy" */
  codec: z.enum(['snappy', 'gzip', 'uncompressed']).default('snappy'),
});
export type ParquetConfig = z.infer<typeof ParquetConfig>;

export const EndpointConfig = strictObject({
  /** URL path under the service's base URL, e.g. `/sales`. It cannot leave the base URL's path. */
  path: endpointPath,
  /** Field of each record that holds its unique id. @default "id" */
  idField: z.string().min(1).default('id'),
  /** Field of each record that holds the timestamp the window filters on. */
  timestampField: z.string().min(1),
  /**
   * Query parameters that carry the window bounds (two different names), and how the API
   * reads them: the values' format, whether each bound is inclusive or exclusive, and the
   * API's resolution, so the connector asks for exactly [start, end).
   */
  params: strictObject({
    start: z.string().min(1).default('start_date'),
    end: z.string().min(1).default('end_date'),
    /** How bound values are written (iso, iso-offset, iso-local, date, epoch-seconds, epoch-millis). @default "iso" */
    format: z.enum(BOUND_FORMATS).default('iso'),
    /** Whether the API includes a record exactly at the start value. @default "inclusive" */
    startBound: z.enum(BOUND_KINDS).default('inclusive'),
    /** Whether the API includes a record exactly at the end value. @default "exclusive" */
    endBound: z.enum(BOUND_KINDS).default('exclusive'),
    /**
     * The smallest step of the API's timestamps and filter, e.g. "1s" for whole seconds.
     * @default "1s" for epoch-seconds, "1d" for date, else "1ms"
     */
    resolution: parsedWith(parseDuration, 'expected a positive duration such as "1s" or "1ms"').optional(),
  })
    .refine((p) => p.start !== p.end, {
      message: 'expected two different parameter names for start and end',
      path: ['end'],
    })
    .superRefine((p, ctx) => {
      const issue = boundParamsIssue(p);
      if (issue) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    })
    .default({ ...PARAMS_DEFAULT }),
  /**
   * Time zone of bound values written without a zone (iso-local, iso-offset, date) and of
   * record timestamps without one (datetime-local, date): "UTC", an offset such as "+02:00",
   * or an IANA name such as "Europe/Berlin". @default "UTC"
   */
  timeZone: z
    .string()
    .refine(
      (v) => parseTimeZone(v) !== undefined,
      'expected "UTC", an offset such as "+02:00", or an IANA time zone such as "Europe/Berlin"',
    )
    .default('UTC'),
  /** Extra fixed query parameters sent with every request. */
  query: z.record(z.string(), z.string()).default({}),
  pagination: Pagination,
  response: strictObject({
    /** JSON path of the records array; "" when the body is a bare array. @default "data" */
    records: jsonPath.default('data'),
    total: TotalLocation.optional(),
  }).default({ records: 'data' }),
  /** Start of the first window when no watermark exists yet (ISO date or datetime), checked at load. */
  defaultStartDate: parsedWith(
    parseInstant,
    'expected a real ISO date or datetime, e.g. "2024-07-01" or "2024-07-01T10:00:00Z"',
  ).optional(),
  /** Time-slice size of a cursor-paginated endpoint's fan-out, e.g. "1h" or "1d" (`--slice` overrides it). @default "1d" */
  slice: parsedWith(parseDuration, 'expected a positive duration such as "1h" or "1d"').optional(),
  /** The record schema; it names the id field and the timestamp field. */
  schema: RecordSchemaSpec,
  /**
   * Compaction into Parquet after the seal (`<service>/<endpoint>.parquet/`): each `dt=`
   * partition of a sealed run rewritten as typed Parquet, checked, then marked. Off
   * unless this is given (`{}` turns it on with the defaults) or the run has `--parquet`.
   * @example { "maxFileMB": 256, "codec": "gzip" }
   */
  parquet: ParquetConfig.optional(),
}).superRefine((endpoint, ctx) => {
  for (const [key, field] of [
    ['idField', endpoint.idField],
    ['timestampField', endpoint.timestampField],
  ] as const) {
    if (!names(endpoint.schema, field)) {
      ctx.addIssue({
        code: 'custom',
        path: ['schema'],
        message: `expected the schema to name the ${key} "${field}", e.g. "${field}": "${key === 'idField' ? 'string' : 'datetime'}"`,
      });
    }
  }
  const issue = timestampFieldIssue(endpoint.schema, endpoint.timestampField);
  if (issue) ctx.addIssue({ code: 'custom', path: ['schema'], message: issue });
});
export type EndpointConfig = z.infer<typeof EndpointConfig>;

const envVar = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected an env variable name such as RETAIL_API_KEY');
/** Whether a missing credential stops start-up. */
const required = (byDefault: boolean) => z.boolean().default(byDefault);

/**
 * How requests prove who they are. Every secret comes from an env variable, or
 * from the file named by `<VAR>_FILE` (a mounted Secret Manager secret), and
 * never reaches a log, an error or a file.
 */
export const AuthConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  /** A header that carries the key as is: `{ "type": "header", "name": "X-Shopify-Access-Token", "env": "SHOP_TOKEN" }`. */
  z.strictObject({
    type: z.literal('header'),
    name: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name such as X-API-Key'),
    /** Put before the key, e.g. "Token " or "Bearer ". @default "" */
    prefix: z.string().default(''),
    env: envVar,
    /** @default true */
    required: required(true),
  }),
  /** `Authorization: Bearer <token>`: `{ "type": "bearer", "env": "STRIPE_API_KEY" }`. */
  z.strictObject({ type: z.literal('bearer'), env: envVar, required: required(true) }),
  /** `Authorization: Basic base64(user:secret)`: `{ "type": "basic", "userEnv": "WC_KEY", "secretEnv": "WC_SECRET" }`. */
  z.strictObject({ type: z.literal('basic'), userEnv: envVar, secretEnv: envVar, required: required(true) }),
  /** The key in a query parameter: `{ "type": "query", "param": "api_key", "env": "SHOP_KEY" }`. Redacted in every logged URL. */
  z.strictObject({
    type: z.literal('query'),
    param: z.string().regex(/^[A-Za-z0-9_.~-]+$/, 'expected a query parameter name such as api_key'),
    env: envVar,
    required: required(true),
  }),
  /** The older spelling of `header`: the key in `header` (default X-API-Key), optional by default. */
  z.strictObject({
    type: z.literal('api-key'),
    /** Header that carries the key. @default "X-API-Key" */
    header: z.string().min(1).default('X-API-Key'),
    env: envVar,
    /** @default false */
    required: required(false),
  }),
]);
export type AuthConfig = z.infer<typeof AuthConfig>;

export const ServiceConfig = strictObject({
  $schema: z.string().optional(),
  service: name,
  description: z.string().optional(),
  /**
   * Base URL of the API. `<SERVICE>_API_BASE_URL` (e.g. `RETAIL_API_BASE_URL`) overrides it;
   * `API_BASE_URL` too, in a process that serves this service alone.
   */
  baseUrl: z.url({ protocol: /^https?$/ }),
  auth: AuthConfig.default({ type: 'none' }),
  limits: strictObject({
    /** Requests per second across all workers of one process. @default 100 */
    requestsPerSecond: z.number().positive().default(LIMIT_DEFAULTS.requestsPerSecond),
    /** Requests in flight at once across all workers of one process. @default 16 */
    concurrency: z.number().int().positive().default(LIMIT_DEFAULTS.concurrency),
    /**
     * Longest wait a `Retry-After` or `X-RateLimit-Reset-Ms` header may impose; a longer
     * one puts the page back in the queue instead of holding the process. Negative values count as 0.
     * @default 30
     */
    maxRetryAfterSeconds: z.number().nonnegative().max(3600).default(LIMIT_DEFAULTS.maxRetryAfterSeconds),
    /** Largest response body, in bytes; a bigger one is a permanent error for its page. @default 8388608 */
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(LIMIT_DEFAULTS.maxResponseBytes),
    /** Most pages one run may plan; a bigger window is refused before anything is written. @default 100000 */
    maxPagesPerRun: z.number().int().positive().max(MAX_PAGES_PER_RUN_CEILING).default(LIMIT_DEFAULTS.maxPagesPerRun),
    /**
     * Cursor styles: most pages (empty ones too) one time slice's walk may take; past it the
     * slice fails naming its last cursor. @default derived from the window's probed density
     * (ten times the slice's expected pages, at least 100), or 10000 when the slice size was fixed
     * @example 5000
     */
    maxPagesPerSlice: z.number().int().positive().max(MAX_PAGES_PER_RUN_CEILING).optional(),
    /**
     * Cursor styles: longest one time slice's walk may take, in seconds. @default 3 s per page of
     * maxPagesPerSlice, at least 600
     */
    maxSliceSeconds: z
      .number()
      .positive()
      .max(7 * 86_400)
      .optional(),
  }).default({ ...LIMIT_DEFAULTS }),
  endpoints: z.record(name, EndpointConfig).refine((e) => Object.keys(e).length > 0, 'expected at least one endpoint'),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;
