import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorMessage, type Log } from '@rdc/contracts';
import { PushEnvelope, toDelivery } from './push-envelope.js';
import type { Processor } from './processor.js';

/** Verifies the push request's identity; resolves to an HTTP status to refuse with, or undefined. */
export type PushAuthorizer = (authorization: string | undefined) => Promise<401 | 403 | undefined>;

export interface PushServerOptions {
  process: Processor;
  authorize: PushAuthorizer;
  log: Log;
  maxBodyBytes: number;
  /** The push ack deadline: requests are cut off before Pub/Sub gives up on them. */
  requestTimeoutMs: number;
}

export interface PushServer {
  server: Server;
  /** Requests being handled now. */
  inFlight(): number;
  /** Stops taking requests (503 to new ones), waits for in-flight pages up to `graceMs`, closes. */
  shutdown(graceMs: number): Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The HTTP app of the push worker (the caller listens):
 * `POST /` takes a Pub/Sub push envelope, `GET /healthz` answers 200.
 */
export function createPushServer(options: PushServerOptions): PushServer {
  let active = 0;
  let draining = false;
  const idleWaiters: Array<() => void> = [];

  async function handlePush(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = await options.authorize(req.headers.authorization);
    if (refusal) {
      send(res, refusal, { error: refusal === 401 ? 'missing or invalid bearer token' : 'token not allowed' });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        options.log.error(`Push body over ${options.maxBodyBytes} bytes refused (413)`);
        send(res, 413, { error: `body larger than ${options.maxBodyBytes} bytes` });
      } else send(res, 400, { error: 'could not read body' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      send(res, 400, { error: 'body is not JSON; expected a Pub/Sub push envelope' });
      return;
    }
    const envelope = PushEnvelope.safeParse(json);
    if (!envelope.success) {
      send(res, 400, { error: 'not a Pub/Sub push envelope: expected { message: { data, attributes, messageId } }' });
      return;
    }
    const { delivery, problem } = toDelivery(envelope.data);
    const processed = await options.process(
      delivery,
      problem
        ? () => {
            throw problem;
          }
        : undefined,
    );
    if (processed.ack === 'ack') send(res, 204);
    else send(res, 503, { error: 'transient failure; Pub/Sub will redeliver' });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      send(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok', inFlight: active });
      return;
    }
    if (req.method !== 'POST' || path !== '/') {
      send(res, path === '/' ? 405 : 404, { error: 'POST / with a Pub/Sub push envelope, or GET /healthz' });
      return;
    }
    if (draining) {
      send(res, 503, { error: 'shutting down; Pub/Sub will redeliver' });
      return;
    }
    active++;
    handlePush(req, res)
      .catch((error: unknown) => {
        options.log.error(`Push request failed: ${errorMessage(error)}`);
        send(res, 500, { error: 'internal error; Pub/Sub will redeliver' });
      })
      .finally(() => {
        active--;
        if (active === 0) idleWaiters.splice(0).forEach((w) => w());
      });
  });
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(options.requestTimeoutMs, 30_000);
  server.keepAliveTimeout = 5_000;

  return {
    server,
    inFlight: () => active,
    async shutdown(graceMs: number): Promise<void> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
