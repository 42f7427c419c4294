import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentError, ServiceConfig } from '@rdc/contracts';
import { createHttpSource, type HttpSource } from '@rdc/source';
import { expect } from 'chai';

const WINDOW = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };
const LIMIT = 64 * 1024;

function service(): ServiceConfig {
  return ServiceConfig.parse({
    service: 'retail',
    baseUrl: 'http://127.0.0.1:1',
    limits: { maxResponseBytes: LIMIT },
    endpoints: {
      sales: {
        path: '/sales',
        timestampField: 'created_at',
        pagination: { style: 'offset', pageSize: 2 },
        response: { records: 'data', total: { from: 'body', path: 'total' } },
        schema: { id: 'string', created_at: 'datetime' },
      },
    },
  });
}

/** Writes a JSON body of `bytes` bytes in 16 KiB chunks, chunked (no Content-Length) or declared. */
function bigBody(res: ServerResponse, bytes: number, declared: boolean): { written: () => number } {
  const head = '{"total":2,"data":[{"id":"';
  const tail = '"},{"id":"b"}]}';
  const filler = bytes - head.length - tail.length;
  let written = 0;
  res.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': String(bytes) } : {}) });
  res.write(head);
  const chunk = 'x'.repeat(16 * 1024);
  const pump = (): void => {
    while (written < filler) {
      const part = chunk.slice(0, Math.min(chunk.length, filler - written));
      written += part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(tail);
  };
  res.on('error', () => undefined);
  pump();
  return { written: () => written };
}

describe('source: the response size limit (limits.maxResponseBytes)', () => {
  let server: Server | undefined;
  let source: HttpSource | undefined;
  afterEach(async () => {
    source?.close();
    source = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = undefined;
    }
  });

  async function serve(handler: (res: ServerResponse) => void): Promise<string> {
    server = createServer((_req, res) => handler(res));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  for (const declared of [false, true]) {
    it(`fails a ${declared ? 'declared' : 'chunked'} body over the limit permanently, naming the size and the setting`, async () => {
      let sent: { written: () => number } | undefined;
      const baseUrl = await serve((res) => (sent = bigBody(res, 50 * 1024 * 1024, declared)));
      source = createHttpSource({ service: service(), baseUrl, retry: { maxRetries: 3, baseDelayMs: 1 } });
      const error = await source
        .fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(PermanentError);
      const message = (error as PermanentError).message;
      expect(message).to.include(`over the limit of ${LIMIT} bytes`);
      expect(message).to.include('limits.maxResponseBytes');
      expect(message).to.include(declared ? `${50 * 1024 * 1024} bytes (Content-Length)` : 'more than ');
      // One attempt, cut off early: the 50 MB were never read.
      expect(source.stats.requests).to.equal(1);
      expect(sent?.written() ?? 0).to.be.below(20 * 1024 * 1024);
    });
  }

  it('reads a body just under the limit', async () => {
    const baseUrl = await serve((res) => bigBody(res, LIMIT - 10, false));
    source = createHttpSource({ service: service(), baseUrl });
    const page = await source.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
    expect(page.records).to.have.length(2);
  });
});
