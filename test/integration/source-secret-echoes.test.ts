import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { PermanentError, ServiceConfig } from '@rdc/contracts';
import { createHttpSource, type HttpSource } from '@rdc/source';

/** A key with every character an escaping touches: quotes, backslash, +/=%&<>, non-ASCII. */
const KEY = `k"ey\\+/=%é_l'ive<&>9f3A`;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** How an API may echo the key in an error body: each escaping a server applies. */
const echoes: Record<string, string> = {
  json: JSON.stringify({ message: `invalid key ${KEY}` }),
  'JSON in JSON': JSON.stringify({ message: JSON.stringify({ detail: `invalid key ${KEY}` }) }),
  // Python: repr() of the key, and of its UTF-8 bytes; backslashes doubled once more in JSON.
  'Python repr': JSON.stringify({ detail: `invalid key '${KEY.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'` }),
  'Python ascii': `invalid key '${KEY.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replace('é', '\\xe9')}'`,
  'Python bytes repr': `invalid key b'${KEY.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replace('é', '\\xc3\\xa9')}'`,
  '\\u escapes': `invalid key ${[...KEY].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join('')}`,
  '\\x escapes': `invalid key ${[...Buffer.from(KEY)].map((b) => `\\x${hex(b, 2).toUpperCase()}`).join('')}`,
  'HTML entities': `invalid key ${KEY.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}`,
  'HTML numeric': `invalid key ${[...KEY].map((c) => `&#${c.codePointAt(0)};`).join('')}`,
  'percent-encoding': `invalid key ${encodeURIComponent(KEY)}`,
  'percent, every byte': `invalid key ${[...Buffer.from(KEY)].map((b) => `%${hex(b, 2)}`).join('')}`,
  base64: `invalid key ${Buffer.from(KEY).toString('base64')}`,
  base64url: `invalid key ${Buffer.from(KEY).toString('base64url')}`,
  'long body, key past the cut': JSON.stringify({ message: `${'x'.repeat(272)} invalid key ${KEY}` }),
};

describe('source: a key the API echoes back, in any escaping, never reaches an error', () => {
  let server: Server | undefined;
  let source: HttpSource | undefined;
  afterEach(async () => {
    source?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
    server = undefined;
  });

  for (const [name, body] of Object.entries(echoes)) {
    it(name, async () => {
      server = createServer((_req, res) => {
        res.writeHead(401, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain' });
        res.end(body);
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const service = ServiceConfig.parse({
        service: 'retail',
        baseUrl: 'http://127.0.0.1:1',
        auth: { type: 'header', name: 'X-API-Key', env: 'RETAIL_API_KEY' },
        endpoints: {
          sales: {
            path: '/sales',
            timestampField: 'created_at',
            pagination: { style: 'offset', pageSize: 2 },
            schema: { id: 'string', created_at: 'datetime' },
          },
        },
      });
      source = createHttpSource({
        service,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey: KEY,
        retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 5_000 },
      });
      const window = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };
      const error = (await source
        .fetchPage({ endpoint: 'sales', window, page: 1, pageSize: 2 })
        .catch((e: unknown) => e)) as PermanentError;
      expect(error).to.be.instanceOf(PermanentError);
      expect(error.message).to.include('RETAIL_API_KEY');
      const everything = JSON.stringify({
        m: error.message,
        c: error.context,
        s: error.stack,
        cause: String(error.cause),
      });
      // No fragment of the key in any form: its distinctive tail, raw or escaped.
      for (const part of ['9f3A', 'é_l', '9%66%33', '\\u0039', '\\x39', '&#57;', 'OWYzQ', "l\\'ive", "l'ive"])
        expect(everything, part).not.to.include(part);
    });
  }
});
