import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MockSettings } from '../support/mock.js';
import { DATA_END, DATA_START } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, runNode } from '../support/child.js';
import { startMock } from '../support/mock.js';
import { APPS, PAGINATION_CONFIG_DIR } from '../support/paths.js';
import { failedFigure, pageFigure, type ScenarioContext } from './context.js';

interface Style {
  /** A service of the pagination examples (one per style). */
  service: string;
  what: string;
  mock: MockSettings;
}

/** Every pagination style the connector speaks, as the end-to-end pagination test runs them. */
const STYLES: Style[] = [
  { service: 'pg_offset', what: 'offset, total in the body', mock: {} },
  {
    service: 'pg_page0',
    what: 'page (0-based), X-Total-Count',
    mock: { pagination: 'page', firstPage: 0, totalIn: 'x-total-count' },
  },
  { service: 'pg_wp_total', what: 'page, X-WP-Total', mock: { pagination: 'page', totalIn: 'wp' } },
  { service: 'pg_wp_pages', what: 'page, X-WP-TotalPages only', mock: { pagination: 'page', totalIn: 'wp' } },
  { service: 'pg_capped', what: 'offset capped at 1,000 (split)', mock: { maxOffset: 1000 } },
  { service: 'pg_link', what: 'link-header cursor', mock: { pagination: 'link-header' } },
  { service: 'pg_cursor', what: 'body cursor', mock: { pagination: 'body-cursor' } },
  { service: 'pg_after', what: 'starting_after + has_more', mock: { pagination: 'starting-after' } },
];

function pageSizeOf(service: string): number {
  const config = JSON.parse(readFileSync(join(PAGINATION_CONFIG_DIR, `${service}.json`), 'utf8')) as {
    endpoints: { sales: { pagination: { pageSize: number } } };
  };
  return config.endpoints.sales.pagination.pageSize;
}

/**
 * Requests: the embedded run (`apps/local`, client rate limit lifted) over the same
 * window in every pagination style. The figure is the requests the API saw against
 * the ideal, ceil(records / pageSize): what one walk of full pages would take.
 * Counts, slice walks, empty slices and retries are all in the requests.
 */
export async function runRequests(ctx: ScenarioContext): Promise<Figure[]> {
  const { sales, start, end, styles } = ctx.sizes.requests;
  const figures: Figure[] = [];
  for (const style of STYLES.filter((s) => styles === 'all' || styles.includes(s.service))) {
    const id = `requests.${style.service}`;
    const contender = `${style.what}`;
    const mock = await startMock({ sales, dataStart: DATA_START, dataEnd: DATA_END, ...style.mock });
    const sink = ctx.scratch.folder(id.replace(/\W/g, '-'));
    try {
      const expected = await mock.ids(start, end);
      const pageSize = pageSizeOf(style.service);
      const ideal = Math.ceil(expected.length / pageSize);
      await mock.resetStats();
      ctx.progress(`Requests ${style.service} (${style.what}): ${expected.length} records`);
      const args = ['--service', style.service, '--endpoint', 'sales', '--start_date', start, '--end_date', end];
      args.push('--config-dir', PAGINATION_CONFIG_DIR, '--sink', `file://${sink}`, '--json');
      const result = await runNode(APPS.local, args, {
        env: childEnv({ API_BASE_URL: mock.url, RDC_REQUESTS_PER_SECOND: '1000000' }),
        timeoutMs: ctx.sizes.contenderTimeoutMs,
        scratch: ctx.scratch.dir,
      });
      const figure = await pageFigure({
        scenario: 'Requests',
        id,
        contender,
        mock,
        sink,
        expected,
        measured: result,
        startedAt: result.startedAt,
        note: `${style.service}: ${expected.length} records, pages of ${pageSize}; ideal ${ideal} requests`,
      });
      if (figure.requests !== undefined) Object.assign(figure, { reference: ideal, ratio: figure.requests / ideal });
      figures.push(figure);
    } catch (error) {
      figures.push(failedFigure('Requests', id, contender, error));
    } finally {
      rmSync(sink, { recursive: true, force: true });
      await mock.close();
    }
  }
  return figures;
}
