import { DEFAULT_LIMIT, ENDPOINTS, MAX_LIMIT } from './options.js';
import type { EndpointName, MockApiOptions } from './options.js';

type Json = Record<string, unknown>;

const ref = (kind: string, name: string): Json => ({ $ref: `#/components/${kind}/${name}` });
const dateTime = { type: 'string', format: 'date-time', examples: ['2024-07-01T10:15:30.123Z'] };
const money = { type: 'number', multipleOf: 0.01 };
const currency = { type: 'string', enum: ['USD', 'EUR', 'GBP', 'CAD', 'AUD'] };

const SCHEMAS: Record<string, Json> = {
  SaleItem: {
    type: 'object',
    required: ['sku', 'quantity', 'unit_price'],
    properties: {
      sku: { type: 'string', examples: ['SKU-APP-000123'] },
      quantity: { type: 'integer', minimum: 1 },
      unit_price: money,
    },
  },
  Sale: {
    type: 'object',
    required: ['id', 'created_at', 'customer_id', 'store_id', 'status', 'currency', 'amount', 'items'],
    properties: {
      id: { type: 'string', pattern: '^sale_\\d{8}$' },
      created_at: dateTime,
      customer_id: { type: 'string', pattern: '^cus_\\d{8}$' },
      store_id: { type: 'string', examples: ['store_007'] },
      status: { type: 'string', enum: ['completed', 'pending', 'refunded', 'cancelled'] },
      currency,
      amount: money,
      items: { type: 'array', items: ref('schemas', 'SaleItem') },
    },
  },
  Customer: {
    type: 'object',
    required: ['id', 'created_at', 'email', 'first_name', 'last_name', 'country', 'loyalty_tier'],
    properties: {
      id: { type: 'string', pattern: '^cus_\\d{8}$' },
      created_at: dateTime,
      email: { type: 'string', format: 'email' },
      first_name: { type: 'string' },
      last_name: { type: 'string' },
      country: { type: 'string', description: 'ISO 3166-1 alpha-2', pattern: '^[A-Z]{2}$' },
      loyalty_tier: { type: ['string', 'null'], enum: ['bronze', 'silver', 'gold', 'platinum', null] },
    },
  },
  Product: {
    type: 'object',
    required: ['id', 'updated_at', 'sku', 'name', 'category', 'price', 'currency', 'active'],
    properties: {
      id: { type: 'string', pattern: '^prd_\\d{8}$' },
      updated_at: dateTime,
      sku: { type: 'string', pattern: '^SKU-[A-Z]{3}-\\d{6}$' },
      name: { type: 'string' },
      category: { type: 'string' },
      price: money,
      currency,
      active: { type: 'boolean' },
    },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: {
            type: 'string',
            examples: [
              'limit_too_large',
              'offset_too_deep',
              'invalid_parameter',
              'invalid_cursor',
              'unauthorized',
              'rate_limited',
            ],
          },
          message: { type: 'string' },
          param: { type: 'string', description: 'The query parameter at fault, if any.' },
        },
      },
    },
  },
};

const ITEM_SCHEMA: Record<EndpointName, string> = { sales: 'Sale', customers: 'Customer', products: 'Product' };
const TIMESTAMP: Record<EndpointName, string> = {
  sales: 'created_at',
  customers: 'created_at',
  products: 'updated_at',
};

const query = (name: string, schema: Json, description: string): Json => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const size = (name: string): Json =>
  query(
    name,
    { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
    `Page size; more than ${MAX_LIMIT} gets 400 limit_too_large.`,
  );
const header = (description: string, type = 'string'): Json => ({ description, schema: { type } });
const errorResponse = (description: string, headers: Json = {}): Json => ({
  description,
  headers: { 'X-Request-Id': ref('headers', 'RequestId'), ...headers },
  content: { 'application/json': { schema: ref('schemas', 'Error') } },
});

/** Paging parameters, extra body fields and headers of the configured style. */
function style(o: MockApiOptions): { params: Json[]; fields: Json; headers: Json } {
  switch (o.pagination) {
    case 'offset':
      return {
        params: [
          size('limit'),
          query(
            'offset',
            { type: 'integer', minimum: 0, default: 0, ...(o.maxOffset === undefined ? {} : { maximum: o.maxOffset }) },
            'Records to skip in the window.',
          ),
        ],
        fields: { total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
        headers: {},
      };
    case 'page': {
      const fields: Json = { page: { type: 'integer' }, per_page: { type: 'integer' } };
      if (o.totalIn === 'body') fields['total'] = { type: 'integer' };
      const headers: Json =
        o.totalIn === 'x-total-count'
          ? { 'X-Total-Count': header('Records in the window.', 'integer') }
          : o.totalIn === 'wp'
            ? {
                'X-WP-Total': header('Records in the window.', 'integer'),
                'X-WP-TotalPages': header('Pages of per_page in the window.', 'integer'),
              }
            : {};
      return {
        params: [
          query(
            'page',
            { type: 'integer', minimum: o.firstPage, default: o.firstPage },
            `Page number; the first page is ${o.firstPage}.`,
          ),
          size('per_page'),
        ],
        fields,
        headers,
      };
    }
    case 'link-header':
      return {
        params: [
          size('limit'),
          query('cursor', { type: 'string' }, 'Opaque cursor; follow the Link rel="next" URL instead of building it.'),
        ],
        fields: {},
        headers: { Link: header('`<url>; rel="next"` while more records remain; absent on the last page.') },
      };
    case 'body-cursor':
      return {
        params: [size('limit'), query('cursor', { type: 'string' }, 'The next_cursor of the previous page.')],
        fields: { next_cursor: { type: ['string', 'null'], description: 'null on the last page' } },
        headers: {},
      };
    case 'starting-after':
      return {
        params: [
          size('limit'),
          query('starting_after', { type: 'string' }, 'Id of the last record of the previous page.'),
        ],
        fields: { has_more: { type: 'boolean' } },
        headers: {},
      };
  }
}

/** Wraps the records schema at the records path, next to the style's fields. */
function bodySchema(o: MockApiOptions, records: Json, fields: Json): Json {
  const path = o.bareArray ? [] : o.recordsPath.split('.').filter(Boolean);
  if (path.length === 0) return records;
  let inner: Json = records;
  for (let i = path.length - 1; i >= 1; i--) inner = { type: 'object', properties: { [path[i] as string]: inner } };
  const head = path[0] as string;
  return { type: 'object', required: [head, ...Object.keys(fields)], properties: { [head]: inner, ...fields } };
}

/** The OpenAPI 3.1 document of a server with these options. */
export function buildOpenApi(o: MockApiOptions, serverUrl: string): Json {
  const paging = style(o);
  const security = o.apiKey === undefined ? {} : { security: [{ ApiKey: [] }] };
  const paths: Json = {};
  for (const endpoint of ENDPOINTS) {
    const ts = TIMESTAMP[endpoint];
    const records = { type: 'array', items: ref('schemas', ITEM_SCHEMA[endpoint]) };
    paths[`/${endpoint}`] = {
      get: {
        operationId: `list_${endpoint}`,
        summary: `List ${endpoint} in a window, in stable order (${ts}, then id)`,
        ...security,
        parameters: [
          query(
            'start_date',
            { type: 'string' },
            `Inclusive lower bound on ${ts}: ISO-8601 date or datetime. Omitted: the beginning.`,
          ),
          query(
            'end_date',
            { type: 'string' },
            `Exclusive upper bound on ${ts}: ISO-8601 date or datetime. Omitted: no bound.`,
          ),
          ...paging.params,
        ],
        responses: {
          '200': {
            description: `A page of ${endpoint}.`,
            headers: { 'X-Request-Id': ref('headers', 'RequestId'), ...paging.headers },
            content: { 'application/json': { schema: bodySchema(o, records, paging.fields) } },
          },
          '400': ref('responses', 'BadRequest'),
          ...(o.apiKey === undefined ? {} : { '401': ref('responses', 'Unauthorized') }),
          '405': ref('responses', 'MethodNotAllowed'),
          '429': ref('responses', 'TooManyRequests'),
          '500': ref('responses', 'ServerError'),
          '503': ref('responses', 'ServerError'),
        },
      },
    };
  }
  paths['/healthz'] = {
    get: { operationId: 'healthz', summary: 'Liveness', security: [], responses: { '200': { description: 'Up.' } } },
  };
  paths['/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      security: [],
      responses: { '200': { description: 'OpenAPI 3.1 JSON.' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Retail API (mock)',
      version: '1.0.0',
      description: `Sales, customers and products. Pagination: ${o.pagination}.`,
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: SCHEMAS,
      headers: { RequestId: header('Unique id of this request.') },
      responses: {
        BadRequest: errorResponse(
          'A bad query parameter (limit_too_large, offset_too_deep, invalid_parameter, invalid_cursor).',
        ),
        Unauthorized: errorResponse('Missing or wrong X-API-Key.'),
        MethodNotAllowed: errorResponse('Only GET is served.', { Allow: header('GET') }),
        TooManyRequests: errorResponse('Rate limited.', {
          'Retry-After': header('Whole seconds, or an HTTP-date.'),
          'X-RateLimit-Reset-Ms': header('Exact wait in ms.', 'integer'),
        }),
        ServerError: errorResponse('A (possibly injected) server error; retry.'),
      },
      ...(o.apiKey === undefined
        ? {}
        : { securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } }),
    },
  };
}
