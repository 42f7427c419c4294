import { z } from 'zod';
import { LIMIT_DEFAULTS, MAX_PAGES_PER_RUN_CEILING } from './defaults.js';
import { RecordSchemaSpec } from './record-schema.js';
import { strictObject } from './strict-object.js';
import { parseDuration, parseInstant } from './time-values.js';
import { boundParamsIssue, BOUND_FORMATS, BOUND_KINDS, PARAMS_DEFAULT, timestampFieldIssue } from './endpoint-time.js';
import { parseTimeZone } from './time-zone.js';

/** A key's meaning and an example, for the generated reference (docs/config.md) and JSON Schema. */
const doc = (description: string, example: unknown) => ({ description, examples: [example] });

/** Service and endpoint names end up in object names and message attributes. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;
const name = z
  .string()
  .regex(NAME_PATTERN, 'expected lowercase letters, digits or "_", starting with a letter (2-40 characters)');

/** A dotted JSON path such as `data` or `results.rows`; empty means the body itself. */
const jsonPath = z
  .string()
  .regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'expected a dotted path like "results.rows"');

const totalOf = z
  .enum(['items', 'pages'])
  .default('items')
  .meta(doc('Whether the total counts records (items) or pages.', 'pages'));

/** Where the total sits in a response: a JSON path in the body, or a header. */
export const TotalLocation = z
  .discriminatedUnion('from', [
    strictObject({
      from: z.literal('body').meta(doc('The total is a number in the response body.', 'body')),
      path: jsonPath.min(1).meta(doc('JSON path of the total in the body.', 'meta.total')),
      of: totalOf,
    }),
    strictObject({
      from: z.literal('header').meta(doc('The total is a response header.', 'header')),
      name: z
        .string()
        .min(1)
        .meta(
          doc(
            'Name of the header that holds the total, e.g. X-Total-Count, X-WP-Total or X-WP-TotalPages.',
            'X-WP-Total',
          ),
        ),
      of: totalOf,
    }),
  ])
  .meta(
    doc(
      'Where the response says how many records (or pages) the window holds; needed by offset and page pagination to plan every page up front. Omit it for cursor styles.',
      { from: 'header', name: 'X-Total-Count' },
    ),
  );
export type TotalLocation = z.infer<typeof TotalLocation>;

/** Largest page size the connector asks for, whatever an endpoint allows. */
export const MAX_PAGE_SIZE = 250;
const pageSize = z
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .meta(doc(`Records asked for per request (at most ${MAX_PAGE_SIZE}); one task per page.`, 100));
const sizeParam = (byDefault: string) =>
  z.string().min(1).default(byDefault).meta(doc('Query parameter that carries the page size.', 'per_page'));
const style = <T extends string>(name: T, what: string) => z.literal(name).meta(doc(what, name));

export const Pagination = z
  .discriminatedUnion('style', [
    strictObject({
      style: style('offset', 'Offset and limit (`?offset=500&limit=250`): every page planned from the total.'),
      pageSize,
      limitParam: z.string().min(1).default('limit').meta(doc('Query parameter that carries the page size.', 'limit')),
      offsetParam: z
        .string()
        .min(1)
        .default('offset')
        .meta(doc('Query parameter that carries the offset of the first record.', 'skip')),
      maxOffset: z
        .number()
        .int()
        .positive()
        .optional()
        .meta(doc('Deepest offset the API serves; a window that needs more is split into time slices.', 10000)),
    }),
    strictObject({
      style: style('page', 'Page numbers (`?page=3&per_page=100`): every page planned from the total.'),
      pageSize,
      pageParam: z.string().min(1).default('page').meta(doc('Query parameter that carries the page number.', 'p')),
      sizeParam: sizeParam('per_page'),
      firstPage: z
        .union([z.literal(0), z.literal(1)])
        .default(1)
        .meta(doc('The number of the first page: 0 or 1.', 0)),
      maxPage: z
        .number()
        .int()
        .positive()
        .optional()
        .meta(doc('Highest page number the API serves; a window that needs more is split into time slices.', 100)),
    }),
    strictObject({
      style: style('link-header', 'An RFC 8288 `Link: <…>; rel="next"` header: pages walked in time slices.'),
      pageSize,
      sizeParam: sizeParam('limit'),
    }),
    strictObject({
      style: style('body-cursor', 'A next cursor (or next URL) in the body: pages walked in time slices.'),
      pageSize,
      sizeParam: sizeParam('limit'),
      nextPath: jsonPath
        .min(1)
        .meta(doc('JSON path of the next cursor (or the next URL) in the body.', 'meta.next_cursor')),
      cursorParam: z
        .string()
        .min(1)
        .optional()
        .meta(doc('Query parameter that carries the cursor; omit it when the body holds a full next URL.', 'cursor')),
    }),
    strictObject({
      style: style(
        'starting-after',
        'Stripe-style `starting_after=<last id>` and `has_more`: pages walked in time slices.',
      ),
      pageSize,
      sizeParam: sizeParam('limit'),
      cursorParam: z
        .string()
        .min(1)
        .default('starting_after')
        .meta(doc('Query parameter that carries the id of the last record seen.', 'after')),
      hasMorePath: jsonPath
        .min(1)
        .default('has_more')
        .meta(doc('JSON path of the boolean in the body that says more records follow.', 'meta.has_more')),
    }),
  ])
  .meta(
    doc('How the API pages through a window; `style` picks the keys that apply.', { style: 'offset', pageSize: 250 }),
  );
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
  enabled: z
    .boolean()
    .default(true)
    .meta(doc("Compact the endpoint's sealed runs (true when `parquet` is given).", false)),
  maxFileMB: z
    .number()
    .int()
    .min(1)
    .max(2048)
    .default(128)
    .meta(doc("A partition's file is split past this many MiB; also bounds the file a worker holds in memory.", 256)),
  rowGroupRows: z
    .number()
    .int()
    .min(100)
    .max(1_000_000)
    .default(20_000)
    .meta(doc('Rows per row group: what the writer holds in memory before encoding.', 50000)),
  codec: z
    .enum(['snappy', 'gzip', 'uncompressed'])
    .default('snappy')
    .meta(doc('Compression of the Parquet pages.', 'gzip')),
});
export type ParquetConfig = z.infer<typeof ParquetConfig>;

export const EndpointConfig = strictObject({
  path: endpointPath.meta(
    doc("URL path under the service's base URL; it cannot leave the base URL's path.", '/v1/orders'),
  ),
  idField: z.string().min(1).default('id').meta(doc('Field of each record that holds its unique id.', 'order_id')),
  timestampField: z
    .string()
    .min(1)
    .meta(doc('Field of each record that holds the timestamp the window filters on.', 'created_at')),
  /**
   * Query parameters that carry the window bounds (two different names), and how the API
   * reads them: the values' format, whether each bound is inclusive or exclusive, and the
   * API's resolution, so the connector asks for exactly [start, end).
   */
  params: strictObject({
    start: z
      .string()
      .min(1)
      .default('start_date')
      .meta(doc("Query parameter that carries the window's start.", 'created_at_min')),
    end: z
      .string()
      .min(1)
      .default('end_date')
      .meta(doc("Query parameter that carries the window's end.", 'created_at_max')),
    format: z
      .enum(BOUND_FORMATS)
      .default('iso')
      .meta(
        doc(
          "How bound values are written: iso (2024-07-01T00:00:00.000Z), iso-offset (with the time zone's offset), iso-local (no zone), date, epoch-seconds or epoch-millis.",
          'epoch-seconds',
        ),
      ),
    startBound: z
      .enum(BOUND_KINDS)
      .default('inclusive')
      .meta(doc('Whether the API includes a record exactly at the start value.', 'exclusive')),
    endBound: z
      .enum(BOUND_KINDS)
      .default('exclusive')
      .meta(doc('Whether the API includes a record exactly at the end value.', 'inclusive')),
    resolution: parsedWith(parseDuration, 'expected a positive duration such as "1s" or "1ms"')
      .optional()
      .meta(
        doc(
          "The smallest step of the API's timestamps and filter. Default: 1s for epoch-seconds, 1d for date, else 1ms.",
          '1s',
        ),
      ),
  })
    .refine((p) => p.start !== p.end, {
      message: 'expected two different parameter names for start and end',
      path: ['end'],
    })
    .superRefine((p, ctx) => {
      const issue = boundParamsIssue(p);
      if (issue) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    })
    .default({ ...PARAMS_DEFAULT })
    .meta(
      doc(
        'Query parameters that carry the window bounds (two different names) and how the API reads them, so the connector asks for exactly [start, end).',
        { start: 'updated_at_min', end: 'updated_at_max', format: 'iso', endBound: 'inclusive', resolution: '1s' },
      ),
    ),
  timeZone: z
    .string()
    .refine(
      (v) => parseTimeZone(v) !== undefined,
      'expected "UTC", an offset such as "+02:00", or an IANA time zone such as "Europe/Berlin"',
    )
    .default('UTC')
    .meta(
      doc(
        'Time zone of bound values written without a zone (iso-local, iso-offset, date) and of record timestamps without one (datetime-local, date): "UTC", an offset such as "+02:00", or an IANA name.',
        'Europe/Berlin',
      ),
    ),
  query: z
    .record(z.string(), z.string())
    .default({})
    .meta(doc('Extra fixed query parameters sent with every request.', { status: 'any', expand: 'items' })),
  pagination: Pagination,
  response: strictObject({
    records: jsonPath
      .default('data')
      .meta(doc('JSON path of the records array in the body; "" when the body is a bare array.', 'results.items')),
    total: TotalLocation.optional(),
  })
    .default({ records: 'data' })
    .meta(
      doc('Where the records, and the total if any, are in a response.', {
        records: '',
        total: { from: 'header', name: 'X-WP-Total' },
      }),
    ),
  defaultStartDate: parsedWith(
    parseInstant,
    'expected a real ISO date or datetime, e.g. "2024-07-01" or "2024-07-01T10:00:00Z"',
  )
    .optional()
    .meta(
      doc(
        'Start of the first window when no watermark exists yet and no --start-date is given: an ISO date (midnight UTC) or datetime.',
        '2024-01-01',
      ),
    ),
  slice: parsedWith(parseDuration, 'expected a positive duration such as "1h" or "1d"')
    .optional()
    .meta(
      doc(
        "Time-slice size of a cursor-paginated endpoint's fan-out (one task per slice); --slice overrides it. Default: 1d.",
        '1h',
      ),
    ),
  schema: RecordSchemaSpec.meta(
    doc(
      'The record schema, field name to type: string, number, integer, boolean, datetime, datetime-local, date, epoch-seconds, epoch-millis, object, array; "type?" or "name?" for optional fields, {…} for a nested record, [type] for an array. It must name idField and timestampField.',
      { id: 'string', created_at: 'datetime', total: 'number', 'note?': 'string', items: [{ sku: 'string' }] },
    ),
  ),
  parquet: ParquetConfig.optional().meta(
    doc(
      'Compaction into Parquet after the seal (<service>/<endpoint>.parquet/): each dt= partition of a sealed run rewritten as typed Parquet, checked, then marked. Off unless this is given ({} turns it on with the defaults) or the run has --parquet.',
      { maxFileMB: 256, codec: 'gzip' },
    ),
  ),
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

const envVar = (what: string, example: string) =>
  z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'expected an env variable name such as RETAIL_API_KEY')
    .meta(doc(`Env variable that holds ${what} (or <VAR>_FILE names a file that does).`, example));
/** Whether a missing credential stops start-up. */
const required = (byDefault: boolean) =>
  z
    .boolean()
    .default(byDefault)
    .meta(doc('Whether start-up fails when the credential is missing (else requests go without it).', !byDefault));
const authType = <T extends string>(name: T, what: string) => z.literal(name).meta(doc(what, name));

/**
 * How requests prove who they are. Every secret comes from an env variable, or
 * from the file named by `<VAR>_FILE` (a mounted Secret Manager secret), and
 * never reaches a log, an error or a file.
 */
export const AuthConfig = z
  .discriminatedUnion('type', [
    strictObject({ type: authType('none', 'No credentials.') }),
    strictObject({
      type: authType('header', 'A header that carries the key as is.'),
      name: z
        .string()
        .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name such as X-API-Key')
        .meta(doc('Header that carries the key.', 'X-Shopify-Access-Token')),
      prefix: z.string().default('').meta(doc('Written before the key in the header.', 'Token ')),
      env: envVar('the key', 'SHOP_TOKEN'),
      required: required(true),
    }),
    strictObject({
      type: authType('bearer', '`Authorization: Bearer <token>`.'),
      env: envVar('the token', 'STRIPE_API_KEY'),
      required: required(true),
    }),
    strictObject({
      type: authType('basic', '`Authorization: Basic base64(user:secret)`.'),
      userEnv: envVar('the user name', 'WC_CONSUMER_KEY'),
      secretEnv: envVar('the password or secret', 'WC_CONSUMER_SECRET'),
      required: required(true),
    }),
    strictObject({
      type: authType('query', 'The key in a query parameter, redacted in every logged URL.'),
      param: z
        .string()
        .regex(/^[A-Za-z0-9_.~-]+$/, 'expected a query parameter name such as api_key')
        .meta(doc('Query parameter that carries the key.', 'api_key')),
      env: envVar('the key', 'SHOP_KEY'),
      required: required(true),
    }),
    strictObject({
      type: authType('api-key', 'The older spelling of `header`: the key in `header`, optional by default.'),
      header: z.string().min(1).default('X-API-Key').meta(doc('Header that carries the key.', 'X-Api-Token')),
      env: envVar('the key', 'RETAIL_API_KEY'),
      required: required(false),
    }),
  ])
  .meta(
    doc(
      'How requests prove who they are; `type` picks the keys that apply. Secrets come from env variables (or files they name) and never reach a log, an error or a file.',
      { type: 'bearer', env: 'STRIPE_API_KEY' },
    ),
  );
export type AuthConfig = z.infer<typeof AuthConfig>;

export const ServiceConfig = strictObject({
  $schema: z
    .string()
    .optional()
    .meta(doc('The JSON Schema editors check this file against.', '../service.schema.json')),
  service: name.meta(doc('Name of the service, as --service takes it; the file is <service>.json.', 'shop')),
  description: z.string().optional().meta(doc('What the API is, for people.', 'The shop API: orders and refunds.')),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .meta(
      doc(
        'Base URL of the API. <SERVICE>_API_BASE_URL (e.g. RETAIL_API_BASE_URL) overrides it; API_BASE_URL too, in a process that serves this service alone.',
        'https://shop.example.com/api',
      ),
    ),
  auth: AuthConfig.default({ type: 'none' }),
  limits: strictObject({
    requestsPerSecond: z
      .number()
      .positive()
      .default(LIMIT_DEFAULTS.requestsPerSecond)
      .meta(doc('Requests per second across all workers of one process.', 10)),
    concurrency: z
      .number()
      .int()
      .positive()
      .default(LIMIT_DEFAULTS.concurrency)
      .meta(doc('Requests in flight at once across all workers of one process.', 4)),
    maxRetryAfterSeconds: z
      .number()
      .nonnegative()
      .max(3600)
      .default(LIMIT_DEFAULTS.maxRetryAfterSeconds)
      .meta(
        doc(
          'Longest wait a Retry-After or X-RateLimit-Reset-Ms header may impose; a longer one puts the page back in the queue instead of holding the process. Negative values count as 0.',
          10,
        ),
      ),
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(LIMIT_DEFAULTS.maxResponseBytes)
      .meta(doc('Largest response body, in bytes; a bigger one is a permanent error for its page.', 16777216)),
    maxPagesPerRun: z
      .number()
      .int()
      .positive()
      .max(MAX_PAGES_PER_RUN_CEILING)
      .default(LIMIT_DEFAULTS.maxPagesPerRun)
      .meta(doc('Most pages one run may plan; a longer window is planned as consecutive runs that each fit.', 20000)),
    maxPagesPerSlice: z
      .number()
      .int()
      .positive()
      .max(MAX_PAGES_PER_RUN_CEILING)
      .optional()
      .meta(
        doc(
          "Cursor styles: most pages (empty ones too) one time slice's walk may take; past it the slice fails naming its last cursor, and each --resume continues the walk from its last landed page with one more bound's worth. Default: ten times the slice's expected pages from the window's probed density (at least 100), or 10000 when the slice size was fixed.",
          5000,
        ),
      ),
    maxSliceSeconds: z
      .number()
      .positive()
      .max(7 * 86_400)
      .optional()
      .meta(
        doc(
          "Cursor styles: longest one time slice's walk may take, in seconds. Default: 3 s per page of maxPagesPerSlice, at least 600.",
          1800,
        ),
      ),
  })
    .default({ ...LIMIT_DEFAULTS })
    .meta(doc('Client-side limits, per process.', { requestsPerSecond: 5, concurrency: 2 })),
  endpoints: z
    .record(name, EndpointConfig)
    .refine((e) => Object.keys(e).length > 0, 'expected at least one endpoint')
    .meta(
      doc('The endpoints to copy, by name (as --endpoint takes it).', {
        orders: {
          path: '/orders',
          timestampField: 'created_at',
          pagination: { style: 'page', pageSize: 100 },
          response: { records: '', total: { from: 'header', name: 'X-WP-Total' } },
          schema: { id: 'integer', created_at: 'datetime-local' },
        },
      }),
    ),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;
