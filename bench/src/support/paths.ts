import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (bench/dist/support → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const dist = (path: string): string => join(REPO_ROOT, path);

/** The shipped entry points the contenders run, unchanged. */
export const APPS = {
  local: dist('apps/local/dist/main.js'),
  planner: dist('apps/planner/dist/main.js'),
  worker: dist('apps/worker/dist/main.js'),
  stack: dist('apps/stack/dist/main.js'),
} as const;

/** The bench's own child processes. */
export const CHILDREN = {
  mockApi: dist('bench/dist/children/mock-api.js'),
  sequential: dist('bench/dist/children/sequential.js'),
  fetchOnly: dist('bench/dist/children/fetch-only.js'),
  minimalConnector: dist('bench/dist/children/minimal-connector.js'),
  pushLoad: dist('bench/dist/children/push-load.js'),
  planPublish: dist('bench/dist/children/plan-publish.js'),
  publishCeiling: dist('bench/dist/children/publish-ceiling.js'),
  compact: dist('bench/dist/children/compact.js'),
  duckdbCopy: dist('bench/dist/children/duckdb-copy.js'),
} as const;

/** The pagination examples (one service per style) the end-to-end pagination test also runs. */
export const PAGINATION_CONFIG_DIR = dist('test/fixtures/pagination');

export const RSS_HOOK = dist('bench/dist/support/rss-hook.js');
export const EAGER_SDKS_HOOK = dist('bench/dist/support/eager-sdks.js');
export const DEFAULT_RESULTS_DIR = dist('bench/results');
