/**
 * S2's ceiling: GETs every page of the window at the given concurrency over
 * keep-alive sockets, and reads each body to its end without parsing or writing it.
 * Its rate is as fast as this machine can pull this API.
 *
 * argv[2]: JSON { apiBaseUrl, start, end, pages, concurrency }. Prints one JSON line.
 */
import { Agent, get } from 'node:http';

interface Args {
  apiBaseUrl: string;
  start: string;
  end: string;
  pages: number;
  pageSize: number;
  concurrency: number;
}

function fetchBody(url: URL, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function run(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency, maxFreeSockets: args.concurrency });
  const times: number[] = [];
  let next = 0;
  let bytes = 0;
  const now = (): number => performance.timeOrigin + performance.now();
  const started = now();
  const worker = async (): Promise<void> => {
    while (next < args.pages) {
      const page = next++;
      const url = new URL('/sales', args.apiBaseUrl);
      url.searchParams.set('start_date', args.start);
      url.searchParams.set('end_date', args.end);
      url.searchParams.set('limit', String(args.pageSize));
      url.searchParams.set('offset', String(page * args.pageSize));
      bytes += await fetchBody(url, agent);
      times.push(now());
    }
  };
  try {
    await Promise.all(Array.from({ length: args.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  process.stdout.write(`${JSON.stringify({ pages: times.length, bytes, started, times })}\n`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
