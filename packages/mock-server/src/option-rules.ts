import type { MockApiOptions } from './options.js';
import { isPlainPath } from './query.js';

/**
 * Checks options that only make sense together; `fail` throws a ConfigError
 * naming the options (`describe` gives their env variable and flag).
 */
export function checkCombinations(
  o: MockApiOptions,
  describeOption: (key: keyof MockApiOptions) => string,
  fail: (message: string) => never,
): void {
  if (o.dataStart.getTime() >= o.dataEnd.getTime()) {
    fail(
      `expected ${describeOption('dataStart')} (${o.dataStart.toISOString()}) to be before ${describeOption('dataEnd')} (${o.dataEnd.toISOString()})`,
    );
  }
  const faultSum = o.rate429 + o.errorRate + o.resetRate + o.garbageRate;
  if (faultSum > 1 + 1e-9) {
    fail(
      `expected rate429 + errorRate + resetRate + garbageRate to be <= 1 (they are exclusive shares of the requests), got ${faultSum}`,
    );
  }
  if (o.recordsPath !== '' && !isPlainPath(o.recordsPath)) {
    fail(
      `expected ${describeOption('recordsPath')} to be a dotted path like "results.rows", got ${JSON.stringify(o.recordsPath)}`,
    );
  }
  const reserved = ['total', 'limit', 'offset', 'page', 'per_page', 'next_cursor', 'next', 'has_more'];
  const head = o.recordsPath.split('.')[0] ?? '';
  if (!o.bareArray && reserved.includes(head)) {
    fail(
      `expected ${describeOption('recordsPath')} not to start with a field the API uses itself (${reserved.join(', ')}), got ${JSON.stringify(o.recordsPath)}`,
    );
  }
  if (o.pagination !== 'page') {
    if (o.totalIn !== 'body')
      fail(`${describeOption('totalIn')} applies to pagination "page" only, got pagination "${o.pagination}"`);
    if (o.firstPage !== 1)
      fail(`${describeOption('firstPage')} applies to pagination "page" only, got pagination "${o.pagination}"`);
  }
  if (o.maxOffset !== undefined && o.pagination !== 'offset' && o.pagination !== 'page') {
    fail(
      `${describeOption('maxOffset')} applies to pagination "offset" or "page" only, got pagination "${o.pagination}"`,
    );
  }
  if (o.bodyNext !== 'cursor' && o.pagination !== 'body-cursor')
    fail(`${describeOption('bodyNext')} applies to pagination "body-cursor" only, got pagination "${o.pagination}"`);
  if (o.strictLinks && o.pagination !== 'link-header' && !(o.pagination === 'body-cursor' && o.bodyNext === 'url'))
    fail(
      `${describeOption('strictLinks')} applies to next links: pagination "link-header", or "body-cursor" with bodyNext "url"`,
    );
  const bare = o.bareArray || o.recordsPath === '';
  const bodyHasOnlyRecords = o.pagination === 'link-header' || (o.pagination === 'page' && o.totalIn !== 'body');
  if (bare && !bodyHasOnlyRecords) {
    fail(
      `a bare array body (${describeOption('bareArray')} or an empty recordsPath) needs pagination "link-header", or "page" with totalIn "x-total-count" or "wp"; got pagination "${o.pagination}" with totalIn "${o.totalIn}"`,
    );
  }
}
