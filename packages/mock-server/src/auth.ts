import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';
import type { MockApiOptions } from './options.js';

export type AuthOptions = Pick<
  MockApiOptions,
  'apiKey' | 'apiKeyHeader' | 'bearerToken' | 'basicUser' | 'basicSecret' | 'queryKey' | 'queryKeyParam'
>;

/** Checks one credential of a data request; undefined when it is fine, else the 401 to answer. */
type Check = (req: IncomingMessage, url: URL) => ApiError | undefined;

const same = (given: string, expected: Buffer): boolean => {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
};

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const unauthorized = (message: string): ApiError => new ApiError(401, 'unauthorized', message);

/**
 * The credentials a mock demands, each optional and all required together:
 * a key header (`apiKey` in `apiKeyHeader`), `Authorization: Bearer <bearerToken>`,
 * `Authorization: Basic base64(basicUser:basicSecret)`, or `?<queryKeyParam>=<queryKey>`.
 */
export function createAuthCheck(o: AuthOptions): (req: IncomingMessage, url: URL) => ApiError | undefined {
  const checks: Check[] = [];
  if (o.apiKey !== undefined) {
    const expected = Buffer.from(o.apiKey);
    checks.push((req) => {
      const given = header(req, o.apiKeyHeader);
      if (given === undefined) return unauthorized(`Missing ${o.apiKeyHeader} header.`);
      return same(given, expected) ? undefined : unauthorized('Invalid API key.');
    });
  }
  if (o.bearerToken !== undefined) {
    const expected = Buffer.from(`Bearer ${o.bearerToken}`);
    checks.push((req) => {
      const given = header(req, 'authorization');
      if (given === undefined) return unauthorized('Missing Authorization: Bearer header.');
      return same(given, expected) ? undefined : unauthorized('Invalid bearer token.');
    });
  }
  if (o.basicUser !== undefined || o.basicSecret !== undefined) {
    const pair = `${o.basicUser ?? ''}:${o.basicSecret ?? ''}`;
    const expected = Buffer.from(`Basic ${Buffer.from(pair).toString('base64')}`);
    checks.push((req) => {
      const given = header(req, 'authorization');
      if (given === undefined) return unauthorized('Missing Authorization: Basic header.');
      return same(given, expected) ? undefined : unauthorized('Invalid user or secret.');
    });
  }
  if (o.queryKey !== undefined) {
    const expected = Buffer.from(o.queryKey);
    checks.push((_req, url) => {
      const given = url.searchParams.get(o.queryKeyParam);
      if (given === null) return unauthorized(`Missing ${o.queryKeyParam} query parameter.`);
      return same(given, expected) ? undefined : unauthorized('Invalid API key.');
    });
  }
  return (req, url) => {
    for (const check of checks) {
      const error = check(req, url);
      if (error) return error;
    }
    return undefined;
  };
}
