/**
 * S2's second ceiling, a minimal connector: the same job as the embedded run with
 * nothing but the job. The same HTTP client (got, one instance, keep-alive sockets),
 * JSON.parse of each body, one NDJSON file per page (`page-NNNNNN.ndjson`, one
 * JSON.stringify per record), and nothing else: no validation, no count or window
 * checks, no temporary file, no fsync, no manifest, no queue.
 *
 * argv[2]: JSON { apiBaseUrl, sink, start, end, pages, pageSize, concurrency }. Prints one JSON line.
 */
import { writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import got from 'got';

interface Args {
  apiBaseUrl: string;
  sink: string;
  start: string;
  end: string;
  pages: number;
  pageSize: number;
  concurrency: number;
}

async function run(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency, maxFreeSockets: args.concurrency });
  const client = got.extend({
    agent: { http: agent },
    retry: { limit: 0 },
    responseType: 'text',
    headers: { accept: 'application/json' },
  });
  let next = 0;
  let records = 0;
  const worker = async (): Promise<void> => {
    while (next < args.pages) {
      const page = ++next;
      const url = new URL('/sales', args.apiBaseUrl);
      url.searchParams.set('start_date', args.start);
      url.searchParams.set('end_date', args.end);
      url.searchParams.set('limit', String(args.pageSize));
      url.searchParams.set('offset', String((page - 1) * args.pageSize));
      const body = JSON.parse((await client(url)).body) as { data: unknown[] };
      let ndjson = '';
      for (const record of body.data) ndjson += `${JSON.stringify(record)}\n`;
      records += body.data.length;
      await writeFile(join(args.sink, `page-${String(page).padStart(6, '0')}.ndjson`), ndjson);
    }
  };
  try {
    await Promise.all(Array.from({ length: args.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  process.stdout.write(`${JSON.stringify({ pages: next, records })}\n`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
