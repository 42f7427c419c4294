import type { IncomingHttpHeaders } from 'node:http';
import { configGaps, type ConfigGap, GAP_MARK, NAME_PATTERN } from '@rdc/contracts';
import { detectPagination } from './probe-pagination.js';
import { type BoundParam, fieldHintOf, type QueryFacts, readQuery } from './probe-query.js';
import { draftSchema, findRecords, idCandidates, type TimeCandidate, timeCandidates } from './probe-records.js';

/** One fetched first page, and how the user named the service and endpoint. */
export interface ProbedPage {
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The `auth` block as the draft writes it. */
  auth: Record<string, unknown>;
  service?: string | undefined;
  endpoint?: string | undefined;
}

export interface Draft {
  /** The service config to save as `<service>.json`. */
  config: Record<string, unknown>;
  service: string;
  endpoint: string;
  /** What the page showed, one line each, under a heading. */
  findings: [heading: string, line: string][];
  /** Keys still marked, and what belongs there. */
  gaps: ConfigGap[];
}

const gap = (what: string) => `${GAP_MARK}: ${what}`;
const list = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : 'none');

/** A name for the service from the host (`api.shop.example` → `shop`), else `my_api`. */
export function serviceNameOf(url: URL): string {
  const labels = url.hostname
    .toLowerCase()
    .split('.')
    .filter((l) => !['www', 'api', 'rest'].includes(l));
  const name = (labels[0] ?? '').replace(/-/g, '_');
  return NAME_PATTERN.test(name) && !/^\d/.test(name) && labels.length > 1 ? name : 'my_api';
}

/** A name for the endpoint from the URL's last path segment (`/orders.json` → `orders`), else `records`. */
export function endpointNameOf(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
  const name = last
    .replace(/\.[a-z]+$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  return NAME_PATTERN.test(name) ? name : 'records';
}

/** The base URL and the endpoint path: the path's last segment is the endpoint's. */
function splitUrl(url: URL): { baseUrl: string; path: string } {
  const segments = url.pathname.split('/');
  const last = segments.pop() ?? '';
  const path = /^[A-Za-z0-9_.-]+$/.test(last)
    ? `/${last}`
    : gap(`the endpoint's path under baseUrl, e.g. "/orders" (the URL's is ${url.pathname})`);
  return { baseUrl: `${url.origin}${segments.join('/')}`, path };
}

/** The timestamp field: the bound parameter's name (`created_at_min`), else the one field in the window. */
function pickTime(candidates: TimeCandidate[], query: QueryFacts, lines: string[]): TimeCandidate | undefined {
  const { start, end } = query;
  // Zone-less values are compared as written (both sides read as UTC): exact when the bounds are zone-less
  // too, as an API compares them in one frame; a day either way when only one side has a zone, or for dates.
  const format = start?.format ?? end?.format;
  const localBounds = format === 'iso-local' || format === 'date';
  const slack = (c: TimeCandidate) =>
    format === 'date' || c.type === 'date' || (c.type === 'datetime-local') !== localBounds ? 86_400_000 : 0;
  const inWindow = candidates.filter(
    (c) => (start === undefined || c.min >= start.at - slack(c)) && (end === undefined || c.max <= end.at + slack(c)),
  );
  for (const c of candidates) {
    const outside = !inWindow.includes(c);
    const where = outside ? ", values outside the URL's window" : '';
    lines.push(`${c.field}: ${c.type}, e.g. ${JSON.stringify(c.sample)}${where}`);
  }
  const hints = [start, end].flatMap((b) => (b ? [fieldHintOf(b.name)] : []));
  const named = inWindow.find((c) => hints.includes(c.field));
  if (named) {
    lines.push(`→ ${named.field}, named by the window parameter`);
    return named;
  }
  if (inWindow.length === 1) {
    lines.push(`→ ${inWindow[0]!.field}, the one time field inside the URL's window`);
    return inWindow[0];
  }
  return undefined;
}

/** The `params` block from the URL's bounds; bound kinds only from operator names (`[gte]`, `_lt`). */
function draftParams(query: QueryFacts, times: readonly TimeCandidate[], lines: string[]): Record<string, unknown> {
  const { start, end } = query;
  const describe = (b: BoundParam | undefined, which: string) =>
    lines.push(
      b ? `${which}: ${b.name}=${b.value} (${b.format}${b.kind ? `, ${b.kind}` : ''})` : `${which}: not in the URL`,
    );
  describe(start, 'start');
  describe(end, 'end');
  for (const other of query.otherTimes)
    lines.push(`also a time: ${other.name}=${other.value} (sent as a fixed parameter)`);
  const format = start?.format ?? end?.format;
  const formatsDiffer = start && end && start.format !== end.format;
  const kind = (b: BoundParam | undefined, which: 'start' | 'end') =>
    b?.kind ??
    gap(
      `"inclusive" or "exclusive": whether the API includes a record exactly at the ${which} value (see its reference for ${b?.name ?? `the ${which} parameter`})`,
    );
  const params: Record<string, unknown> = {
    start: start?.name ?? gap("the query parameter that carries the window's start; add it to --url"),
    end: end?.name ?? gap("the query parameter that carries the window's end; add it to --url"),
    format:
      formatsDiffer || format === undefined
        ? gap('how the API writes bounds: iso, iso-offset, iso-local, date, epoch-seconds or epoch-millis')
        : format,
    startBound: kind(start, 'start'),
    endBound: kind(end, 'end'),
  };
  // Records stamped in whole seconds: the API's filter cannot tell finer values apart.
  const wholeSeconds = times.length > 0 && times.every((c) => c.wholeSeconds);
  if (wholeSeconds && format !== undefined && !['date', 'epoch-seconds'].includes(format)) {
    params.resolution = '1s';
    lines.push('resolution: 1s (every timestamp on the page is in whole seconds)');
  }
  return params;
}

/** The draft service config from one first page, with every value it could not decide marked. */
export function draftConfig(page: ProbedPage): Draft {
  const findings: [string, string][] = [];
  const note = (heading: string) => (line: string) => findings.push([heading, line]);
  const query = readQuery(page.url.searchParams);
  const service = page.service ?? serviceNameOf(page.url);
  const endpoint = page.endpoint ?? endpointNameOf(page.url);
  const { baseUrl, path } = splitUrl(page.url);

  const found = findRecords(page.body);
  const records = found?.records ?? [];
  note('Records')(
    found
      ? `${records.length} at ${found.path === '' ? 'the body itself (a bare array)' : `"${found.path}"`}${found.others.length > 0 ? `; other arrays: ${list(found.others)}` : ''}`
      : 'no array of records in the body',
  );
  if (found && records.length === 0)
    note('Records')('the page is empty: probe a window that holds records to read fields');

  const ids = idCandidates(records);
  const idType = ids[0] && records.every((r) => typeof r[ids[0]!] === 'number') ? 'integer' : 'string';
  const alsoUnique = ids.length > 1 ? `; also unique: ${list(ids.slice(1))}` : '';
  note('Id field')(
    ids[0] ? `${ids[0]} (${idType}, unique on the page)${alsoUnique}` : 'no field unique on every record',
  );
  const idField = ids[0] ?? gap("the field that holds each record's unique id");

  const timeLines: string[] = [];
  const times = timeCandidates(records).filter((c) => c.field !== ids[0]);
  const time = pickTime(times, query, timeLines);
  timeLines.forEach(note('Timestamp'));
  if (times.length === 0) note('Timestamp')('no field holds a time on every record');
  const timestampField =
    time?.field ?? gap(`the field the window filters on: one of ${list(times.map((c) => c.field))}`);

  const paramLines: string[] = [];
  const params = draftParams(query, time ? [time] : times, paramLines);
  paramLines.forEach(note('Window'));

  const paging = detectPagination(
    query,
    page.body,
    page.headers,
    { path: found?.path ?? 'data', count: records.length },
    gap,
  );
  paging.evidence.forEach(note('Pagination'));

  const typed = new Map<string, string>();
  if (ids[0]) typed.set(ids[0], idType);
  // The timestamp field is required; other time fields too while the choice is open, else optional.
  for (const c of times) typed.set(c.field, time === undefined || c === time ? c.type : `${c.type}?`);
  const schema = draftSchema(records, typed);
  if (schema.untyped.length > 0) note('Schema')(`left out, null on every record: ${list(schema.untyped)}`);
  if (schema.mixed.length > 0) note('Schema')(`left out, of more than one type: ${list(schema.mixed)}`);

  const zoneless = (time ? [time] : times).some((c) => c.type === 'datetime-local' || c.type === 'date');
  const utcNamed = time !== undefined && /(_gmt|_utc|Gmt|Utc)$/.test(time.field);
  const zones = '"UTC", an offset such as "+02:00", or a name such as "Europe/Berlin"';
  let timeZone: string | undefined;
  if (params.format === 'iso-local' || params.format === 'date') {
    timeZone = gap(`the zone the API reads bounds written without one in: ${zones}`);
  } else if (zoneless) {
    timeZone = utcNamed ? 'UTC' : gap(`the zone of the timestamps written without one: ${zones}`);
  }
  if (query.credentials.length > 0) {
    note('Query')(`left out, they look like credentials: ${list(query.credentials)} (use --auth query:<param>:<VAR>)`);
  }
  const limits = Object.entries(page.headers).filter(([h]) => /rate-?limit|call-limit|retry-after/i.test(h));
  for (const [h, value] of limits) note('Limits')(`${h}: ${String(value)}`);
  if (limits.length > 0) note('Limits')('set limits.requestsPerSecond and limits.concurrency to stay under them');
  const fixed = Object.fromEntries(query.fixed.map((p) => [p.name, p.value]));
  if (query.fixed.length > 0)
    note('Query')(`sent on every request: ${query.fixed.map((p) => `${p.name}=${p.value}`).join('&')}`);

  const config: Record<string, unknown> = {
    service,
    description: `Drafted by probe from ${page.url.origin}${page.url.pathname}.`,
    baseUrl,
    auth: page.auth,
    endpoints: {
      [endpoint]: {
        path,
        idField,
        timestampField,
        params,
        ...(timeZone !== undefined && { timeZone }),
        ...(query.fixed.length > 0 && { query: fixed }),
        pagination: paging.pagination,
        response: {
          records: found?.path ?? gap('the dotted path of the records array in the body ("" for a bare array)'),
          ...(paging.total && { total: paging.total }),
        },
        schema: schema.schema,
      },
    },
  };
  return { config, service, endpoint, findings, gaps: configGaps(config) };
}
