import type { EndpointName, MockApiOptions } from './options.js';
import { deriveSeed, intBetween, mulberry32, pick } from './random.js';
import type { Random } from './random.js';
import { Table } from './table.js';
import type { Row } from './table.js';

export type DatasetSpec = Pick<MockApiOptions, 'seed' | 'sales' | 'customers' | 'products' | 'dataStart' | 'dataEnd'>;

export interface Dataset {
  tables: Record<EndpointName, Table>;
  /** A new record of `endpoint` stamped `ts`, with the next free id (for growth). */
  create(endpoint: EndpointName, ts: number): Row;
}

const FIRST_NAMES = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Lucas',
  'Mia',
  'Leo',
  'Sofia',
  'Mateo',
  'Chloe',
  'Hugo',
  'Amelia',
  'Arjun',
  'Yuki',
  'Zara',
  'Finn',
  'Ines',
  'Omar',
  'Hannah',
];
const LAST_NAMES = [
  'Smith',
  'Garcia',
  'Müller',
  'Martin',
  'Rossi',
  'Brown',
  'Dubois',
  'Jansen',
  'Nowak',
  'Silva',
  'Kim',
  'Patel',
  "O'Brien",
  'Lindqvist',
  'Tanaka',
  'Murphy',
  'Schmidt',
  'Lopez',
  'Wilson',
  'Moreau',
];
const COUNTRIES = ['US', 'US', 'US', 'GB', 'DE', 'FR', 'CA', 'AU', 'NL', 'ES', 'IT', 'SE', 'IE', 'JP'];
const DOMAINS = ['example.com', 'example.org', 'mail.example', 'shop.example'];
const TIERS = [null, null, null, null, 'bronze', 'bronze', 'bronze', 'silver', 'silver', 'gold', 'platinum'] as const;
/** Weighted: 16 in 20 sales are completed. */
const STATUSES = [...Array<string>(16).fill('completed'), 'pending', 'refunded', 'cancelled', 'pending'];

/** Stores and the currency they sell in (value of one USD). */
const STORE_COUNT = 40;
const CURRENCIES = [
  ['USD', 1],
  ['EUR', 0.92],
  ['GBP', 0.79],
  ['CAD', 1.36],
  ['AUD', 1.52],
  ['USD', 1],
] as const;

const CATEGORIES = [
  ['apparel', 'APP', ['T-Shirt', 'Hoodie', 'Jacket', 'Jeans', 'Scarf'], 1_500, 12_000],
  ['footwear', 'FTW', ['Sneaker', 'Boot', 'Sandal', 'Loafer'], 3_000, 18_000],
  ['electronics', 'ELE', ['Headphones', 'Charger', 'Speaker', 'Smartwatch', 'Keyboard'], 1_000, 45_000],
  ['home', 'HOM', ['Mug', 'Lamp', 'Throw Blanket', 'Vase', 'Cutting Board'], 800, 9_000],
  ['beauty', 'BEA', ['Face Cream', 'Shampoo', 'Lip Balm', 'Perfume'], 500, 8_000],
  ['sports', 'SPT', ['Yoga Mat', 'Water Bottle', 'Dumbbell', 'Tennis Racket'], 1_000, 20_000],
  ['toys', 'TOY', ['Puzzle', 'Board Game', 'Plush Bear', 'Building Set'], 700, 7_000],
  ['grocery', 'GRO', ['Coffee Beans', 'Olive Oil', 'Dark Chocolate', 'Green Tea'], 300, 3_000],
] as const;
const ADJECTIVES = ['Classic', 'Organic', 'Everyday', 'Premium', 'Compact', 'Vintage', 'Eco', 'Ultra', 'Cozy', 'Urban'];

/** Relative traffic per UTC hour: quiet nights, busy afternoons. */
const HOUR_WEIGHTS = [
  0.2, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.5, 0.7, 0.8, 0.9, 1, 1, 1, 0.95, 0.9, 0.9, 0.95, 1, 0.95, 0.8, 0.6, 0.4, 0.3,
];
/** Share of records that reuse an earlier record's exact timestamp, so ties are ordered by id. */
const COLLISION_RATE = 0.04;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const money = (cents: number): number => Math.round(cents) / 100;

interface Product {
  sku: string;
  cents: number;
}

/** Builds every table from the seed; the same spec always gives the same bytes. */
export function buildDataset(spec: DatasetSpec): Dataset {
  const start = spec.dataStart.getTime();
  const end = spec.dataEnd.getTime();
  const randoms = {
    sales: mulberry32(deriveSeed(spec.seed, 'sales')),
    customers: mulberry32(deriveSeed(spec.seed, 'customers')),
    products: mulberry32(deriveSeed(spec.seed, 'products')),
  };
  const catalog: Product[] = [];
  const makers: Record<EndpointName, (id: string, n: number, ts: number, random: Random) => object> = {
    customers: customer,
    products: (id, n, ts, r) => {
      const [record, product] = productRecord(id, n, ts, r);
      catalog.push(product);
      return record;
    },
    sales: (id, _n, ts, r) => sale(id, ts, r, spec.customers, catalog),
  };
  const prefixes: Record<EndpointName, string> = { sales: 'sale_', customers: 'cus_', products: 'prd_' };
  const nextId: Record<EndpointName, number> = { sales: 1, customers: 1, products: 1 };
  const row = (endpoint: EndpointName, ts: number, random: Random): Row => {
    const n = nextId[endpoint]++;
    const id = `${prefixes[endpoint]}${pad(n, 8)}`;
    return { ts, id, json: JSON.stringify(makers[endpoint](id, n, ts, random)) };
  };
  const generate = (endpoint: EndpointName, count: number): Table => {
    const random = randoms[endpoint];
    const stamps = timestamps(random, count, start, end);
    return new Table(stamps.map((ts) => row(endpoint, ts, random)));
  };
  // Products first: sales pick their items from the catalog.
  const products = generate('products', spec.products);
  const customers = generate('customers', spec.customers);
  const sales = generate('sales', spec.sales);
  const growth = {
    sales: mulberry32(deriveSeed(spec.seed, 'growth:sales')),
    customers: mulberry32(deriveSeed(spec.seed, 'growth:customers')),
    products: mulberry32(deriveSeed(spec.seed, 'growth:products')),
  };
  return { tables: { sales, customers, products }, create: (endpoint, ts) => row(endpoint, ts, growth[endpoint]) };
}

function timestamps(random: Random, count: number, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && random() < COLLISION_RATE) {
      out.push(out[Math.floor(random() * i)] as number);
      continue;
    }
    let ts: number;
    do ts = start + Math.floor(random() * (end - start));
    while (random() > (HOUR_WEIGHTS[new Date(ts).getUTCHours()] ?? 1));
    out.push(ts);
  }
  return out;
}

function customer(id: string, n: number, ts: number, random: Random): object {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const local = `${first}.${last}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z.]/g, '');
  return {
    id,
    created_at: new Date(ts).toISOString(),
    email: `${local}.${n}@${pick(random, DOMAINS)}`,
    first_name: first,
    last_name: last,
    country: pick(random, COUNTRIES),
    loyalty_tier: pick(random, TIERS),
  };
}

function productRecord(id: string, n: number, ts: number, random: Random): [object, Product] {
  const [category, code, nouns, minCents, maxCents] = pick(random, CATEGORIES);
  // Prices end in .99 or .49 most of the time, like real shelves.
  const dollars = Math.floor(intBetween(random, minCents, maxCents) / 100);
  const cents = dollars * 100 + pick(random, [99, 99, 99, 49, 0]);
  const sku = `SKU-${code}-${pad(n, 6)}`;
  const record = {
    id,
    updated_at: new Date(ts).toISOString(),
    sku,
    name: `${pick(random, ADJECTIVES)} ${pick(random, nouns)}`,
    category,
    price: money(cents),
    currency: 'USD',
    active: random() < 0.92,
  };
  return [record, { sku, cents }];
}

function sale(id: string, ts: number, random: Random, customers: number, catalog: readonly Product[]): object {
  const store = intBetween(random, 1, STORE_COUNT);
  const [currency, perUsd] = CURRENCIES[store % CURRENCIES.length] ?? CURRENCIES[0];
  const count = catalog.length === 0 ? 0 : pick(random, [1, 1, 1, 2, 2, 3, 4]);
  const items = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const product = pick(random, catalog);
    const quantity = pick(random, [1, 1, 1, 1, 2, 2, 3]);
    const unitCents = Math.round(product.cents * perUsd);
    total += unitCents * quantity;
    items.push({ sku: product.sku, quantity, unit_price: money(unitCents) });
  }
  return {
    id,
    created_at: new Date(ts).toISOString(),
    customer_id: `cus_${pad(intBetween(random, 1, customers), 8)}`,
    store_id: `store_${pad(store, 3)}`,
    status: pick(random, STATUSES),
    currency,
    amount: money(total),
    items,
  };
}
