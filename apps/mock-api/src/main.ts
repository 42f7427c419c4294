import { ConfigError, versionRequested, versionText } from '@rdc/contracts';
import { createMockApi, mockApiUsage, parseMockOptions } from '@rdc/mock-server';

/** `npm run mock-api -- [flags]`: serves until SIGTERM or SIGINT. */
async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  if (versionRequested(argv)) {
    console.log(versionText(new URL('../package.json', import.meta.url)));
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(mockApiUsage());
    return;
  }
  const api = await createMockApi(parseMockOptions(process.env, argv));
  const o = api.options;
  console.log(
    `mock-api listening on ${api.url} (pagination=${o.pagination}, seed=${o.seed}, sales=${o.sales}, customers=${o.customers}, products=${o.products}${o.apiKey ? ', api key required' : ''})`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await api.close();
}

run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
