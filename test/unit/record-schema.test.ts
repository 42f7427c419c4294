import { expect } from 'chai';
import {
  bigQuerySchema,
  buildRecordValidator,
  jsonSchema,
  loadServices,
  RecordSchemaSpec,
  resolveEndpoint,
} from '@rdc/contracts';
import { formatDrift } from '@rdc/core';
import { countDrift, mergeDrift } from '@rdc/core/state/drift.js';

const every: RecordSchemaSpec = {
  id: 'string',
  created_at: 'datetime',
  day: 'date',
  amount: 'number',
  quantity: 'integer',
  active: 'boolean',
  extra: 'object',
  raw: 'array',
  note: 'string?',
};

const nested: RecordSchemaSpec = {
  id: 'string',
  'shipping?': { city: 'string', zip: 'string?', geo: { lat: 'number', lon: 'number' } },
  items: [{ sku: 'string', quantity: 'integer', unit_price: 'number' }],
  tags: ['string'],
};

describe('record schemas: BigQuery and JSON Schema mapping', () => {
  it('maps every type to its BigQuery type, REQUIRED unless optional', () => {
    expect(bigQuerySchema(every)).to.deep.equal([
      { name: 'id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'created_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
      { name: 'day', type: 'DATE', mode: 'REQUIRED' },
      { name: 'amount', type: 'FLOAT64', mode: 'REQUIRED' },
      { name: 'quantity', type: 'INT64', mode: 'REQUIRED' },
      { name: 'active', type: 'BOOL', mode: 'REQUIRED' },
      { name: 'extra', type: 'JSON', mode: 'REQUIRED' },
      { name: 'raw', type: 'JSON', mode: 'REQUIRED' },
      { name: 'note', type: 'STRING', mode: 'NULLABLE' },
    ]);
  });

  it('maps nested objects to RECORD and arrays to REPEATED, with no dt column', () => {
    const schema = bigQuerySchema(nested);
    expect(schema).to.deep.equal([
      { name: 'id', type: 'STRING', mode: 'REQUIRED' },
      {
        name: 'shipping',
        type: 'RECORD',
        mode: 'NULLABLE',
        fields: [
          { name: 'city', type: 'STRING', mode: 'REQUIRED' },
          { name: 'zip', type: 'STRING', mode: 'NULLABLE' },
          {
            name: 'geo',
            type: 'RECORD',
            mode: 'REQUIRED',
            fields: [
              { name: 'lat', type: 'FLOAT64', mode: 'REQUIRED' },
              { name: 'lon', type: 'FLOAT64', mode: 'REQUIRED' },
            ],
          },
        ],
      },
      {
        name: 'items',
        type: 'RECORD',
        mode: 'REPEATED',
        fields: [
          { name: 'sku', type: 'STRING', mode: 'REQUIRED' },
          { name: 'quantity', type: 'INT64', mode: 'REQUIRED' },
          { name: 'unit_price', type: 'FLOAT64', mode: 'REQUIRED' },
        ],
      },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    ]);
    expect(schema.map((f) => f.name)).to.not.include('dt');
  });

  it('gives a JSON Schema with required fields, nullable optionals and typed array items', () => {
    const schema = jsonSchema(nested, 'shop.orders') as {
      title: string;
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.title).to.equal('shop.orders');
    expect(schema.required).to.deep.equal(['id', 'items', 'tags']);
    expect(schema.properties.shipping).to.have.property('anyOf');
    expect(schema.properties.items).to.deep.include({ type: 'array' });
    expect((schema.properties.items as { items: { required: string[] } }).items.required).to.deep.equal([
      'sku',
      'quantity',
      'unit_price',
    ]);
  });

  it('the shipped retail config types every field its mock records carry, items included', () => {
    const { endpoint } = resolveEndpoint(loadServices(), 'retail', 'sales');
    const items = bigQuerySchema(endpoint.schema).find((f) => f.name === 'items');
    expect(items).to.deep.include({ type: 'RECORD', mode: 'REPEATED' });
    expect(items?.fields?.map((f) => `${f.name}:${f.type}`)).to.deep.equal([
      'sku:STRING',
      'quantity:INT64',
      'unit_price:FLOAT64',
    ]);
  });
});

describe('record schemas: validation of nested records', () => {
  const validate = buildRecordValidator(nested);
  const good = {
    id: 'a',
    shipping: { city: 'Oslo', geo: { lat: 1.5, lon: 2 } },
    items: [{ sku: 'S1', quantity: 2, unit_price: 9.99 }],
    tags: ['x'],
  };

  it('accepts a record that matches, with or without the optional object', () => {
    expect(validate.safeParse(good).success).to.equal(true);
    expect(validate.safeParse({ ...good, shipping: undefined }).success).to.equal(true);
    expect(validate.safeParse({ ...good, shipping: null }).success).to.equal(true);
  });

  it('refuses a wrong type deep inside, naming the path', () => {
    const bad = { ...good, items: [{ sku: 'S1', quantity: 1.5, unit_price: 9.99 }] };
    const result = validate.safeParse(bad);
    expect(result.success).to.equal(false);
    expect(result.error?.issues[0]?.path).to.deep.equal(['items', 0, 'quantity']);
    expect(validate.safeParse({ ...good, shipping: { city: 'Oslo' } }).success, 'geo is required').to.equal(false);
    expect(validate.safeParse({ ...good, tags: [1] }).success).to.equal(false);
  });

  it('config refuses arrays of arrays, empty objects and arrays of two types', () => {
    for (const spec of [{ a: [['string']] }, { a: {} }, { a: ['string', 'integer'] }, { 'a-b': 'string' }]) {
      expect(RecordSchemaSpec.safeParse(spec).success, JSON.stringify(spec)).to.equal(false);
    }
    expect(RecordSchemaSpec.safeParse(nested).success).to.equal(true);
  });
});

describe('schema drift', () => {
  it('counts undeclared fields per record, nested ones by path, with a sample type', () => {
    const records = [
      { id: 'a', loyalty_points: 5, items: [{ sku: 'S', quantity: 1, unit_price: 1, discount: 0.5 }], tags: [] },
      {
        id: 'b',
        loyalty_points: 7,
        items: [
          { sku: 'S', quantity: 1, unit_price: 1, discount: 0.1 },
          { sku: 'T', quantity: 1, unit_price: 1, discount: 1 },
        ],
        tags: [],
      },
      { id: 'c', shipping: { city: 'Oslo', geo: { lat: 1, lon: 1 }, country: 'NO' }, items: [], tags: [] },
      { id: 'd', coupon: null, items: [], tags: [] },
    ];
    expect(countDrift(records, nested)).to.deep.equal({
      loyalty_points: { records: 2, type: 'integer' },
      'items[].discount': { records: 2, type: 'number' },
      'shipping.country': { records: 1, type: 'string' },
      coupon: { records: 1, type: 'null' },
    });
  });

  it('finds none in records that match the schema, and sums across pages', () => {
    expect(countDrift([{ id: 'a', items: [], tags: [] }], nested)).to.deep.equal({});
    const total = mergeDrift(
      { x: { records: 2, type: 'string' } },
      { x: { records: 3, type: 'integer' }, y: { records: 1, type: 'boolean' } },
    );
    expect(total).to.deep.equal({ x: { records: 5, type: 'string' }, y: { records: 1, type: 'boolean' } });
    expect(formatDrift(total)).to.equal('x (string, 5 records), y (boolean, 1 record)');
    expect(formatDrift({})).to.equal('none');
  });
});
