import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorMessage, type Log } from '@rdc/contracts';
import type { TaskProcessor } from '@rdc/core';
import { WORKER_DEFAULTS } from './defaults.js';
import { PushEnvelope, toDelivery } from './push-envelope.js';

/**
 * Verifies the push request's identity; resolves to an HTTP status to refuse
 * with (401, 403; 503 when it cannot tell, e.g. the key set is unreachable), or undefined.
 */
export type PushAuthorizer = (authorization: string | undefined) => Promise<401 | 403 | 503 | undefined>;

/** How long a push body may take to arrive (RDC_PUSH_BODY_TIMEOUT_SECONDS, see defaults.ts). */
export const DEFAULT_BODY_TIMEOUT_MS = WORKER_DEFAULTS.pushBodyTimeoutSeconds * 1000;

export interface PushServerOptions {
  /** The task processor: the server only adapts the HTTP envelope to a delivery and back. */
  process: TaskProcessor;
  authorize: PushAuthorizer;
  log: Log;
  maxBodyBytes: number;
  /** The push ack deadline: requests are cut off before Pub/Sub gives up on them. */
  requestTimeoutMs: number;
  /** A body not complete this long after the headers gets 408. @default 10_000 */
  bodyTimeoutMs?: number;
  /** Extra fields of `/healthz`, e.g. how long the API's rate limit holds requests back. */
  health?: () => Record<string, unknown>;
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
class BodyTimeout extends Error {}

/**
 * Reads the body up to `limit` bytes (declared or chunked) within `timeoutMs`.
 * Past either, the rest is discarded unread, so an answer can still be sent.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: Error): void => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.on('data', () => undefined);
      reject(error);
    };
    const timer = setTimeout(() => stop(new BodyTimeout()), timeoutMs);
    if (declared > limit) {
      stop(new BodyTooLarge());
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) stop(new BodyTooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Answers and closes the connection: the rest of the body is not worth reading. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  if (res.headersSent) return;
  // A client that keeps sending would hold the socket: drop it once the answer is out.
  res.on('finish', () => setTimeout(() => req.socket.destroy(), 1_000).unref());
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error }));
}

/**
 * The HTTP app of the push worker (the caller listens):
 * `POST /` takes a Pub/Sub push envelope, `GET /healthz` answers 200 (with
 * `status: "rate-limited"` while the API's rate limit holds requests back).
 */
export function createPushServer(options: PushServerOptions): PushServer {
  let active = 0;
  let draining = false;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const idleWaiters: Array<() => void> = [];

  async function handlePush(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = await options.authorize(req.headers.authorization);
    if (refusal) {
      const why = {
        401: 'missing or invalid bearer token',
        403: 'token not allowed',
        503: 'cannot verify the token now (key set unavailable); Pub/Sub will redeliver',
      };
      refuse(req, res, refusal, why[refusal]);
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, options.maxBodyBytes, bodyTimeoutMs);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        options.log.error(`Push body over ${options.maxBodyBytes} bytes refused (413)`);
        refuse(req, res, 413, `body larger than ${options.maxBodyBytes} bytes (RDC_MAX_BODY_BYTES)`);
      } else if (error instanceof BodyTimeout) {
        options.log.warn(`Push body not complete within ${bodyTimeoutMs} ms refused (408)`);
        refuse(req, res, 408, `body not complete within ${bodyTimeoutMs} ms`);
      } else refuse(req, res, 400, 'could not read body');
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
    if (!envelope.data.message.messageId && !envelope.data.message.message_id) {
      // Without an id a record could not be told apart from another message's: nothing is written.
      send(res, 400, { error: 'message.messageId is missing; expected a Pub/Sub push envelope' });
      return;
    }
    const { delivery, problem } = toDelivery(envelope.data);
    const processed = await options.process(delivery, problem);
    if (processed.ack === 'ack') send(res, 204);
    else send(res, 503, { error: 'transient failure; Pub/Sub will redeliver' });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const extra = options.health?.() ?? {};
      const status = draining ? 'draining' : typeof extra.status === 'string' ? extra.status : 'ok';
      send(res, draining ? 503 : 200, { ...extra, status, inFlight: active });
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
