import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Cloud Run's front end, on loopback: it listens on a fixed port
 * for the push subscription and forwards each request to the worker instance
 * currently behind it. With no instance up it answers 503, as Cloud Run does,
 * so Pub/Sub sees a failed push and redelivers later. (The emulator, unlike Cloud
 * Run's front end, stops pushing for a long while after a refused connection.)
 */
export interface FrontProxy {
  url: string;
  /** Port of the instance to forward to; undefined for none. */
  target: number | undefined;
  forwarded: number;
  refused: number;
  /** `<ms since start> <status>` per answered request, for diagnostics. */
  log: string[];
  close(): Promise<void>;
}

export async function startFrontProxy(): Promise<FrontProxy> {
  const state = { target: undefined as number | undefined, forwarded: 0, refused: 0 };
  const log: string[] = [];
  const t0 = Date.now();
  const server: Server = createServer((req, res) => {
    const unavailable = () => {
      state.refused++;
      log.push(`${Date.now() - t0} 503`);
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('no instance available');
    };
    if (state.target === undefined) {
      req.resume();
      unavailable();
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: state.target, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        state.forwarded++;
        log.push(`${Date.now() - t0} ${answer.statusCode}`);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', unavailable);
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    get target() {
      return state.target;
    },
    set target(value) {
      state.target = value;
    },
    get forwarded() {
      return state.forwarded;
    },
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
