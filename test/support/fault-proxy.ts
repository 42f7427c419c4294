import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the proxy gives instead of forwarding. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FaultProxy {
  url: string;
  /** Requests answered by the script, by its answer's status. */
  scripted: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of an API that answers some requests itself, as a
 * misbehaving API would: `script` sees each request's URL and how many requests
 * with the same query came before it (0 for the first), and returns an answer
 * to send, or undefined to forward the request to `target` untouched.
 */
export async function startFaultProxy(
  target: string,
  script: (url: URL, seen: number) => ScriptedAnswer | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen = new Map<string, number>();
  const scripted = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    const count = seen.get(url.search) ?? 0;
    seen.set(url.search, count + 1);
    const answer = script(url, count);
    if (answer) {
      req.resume();
      scripted.set(answer.status, (scripted.get(answer.status) ?? 0) + 1);
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(answer.body ?? '{"message":"scripted"}');
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    scripted,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
