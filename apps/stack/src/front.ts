import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The push endpoint of the stack: a loopback front end that hands each request to the
 * next worker in turn, as Cloud Run spreads a push subscription over its instances. A
 * worker that cannot be reached gets a 502, which Pub/Sub retries.
 */
export interface FrontEnd {
  readonly url: string;
  close(): Promise<void>;
}

export async function startFrontEnd(workerPorts: number[]): Promise<FrontEnd> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const port = workerPorts[next++ % workerPorts.length]!;
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
