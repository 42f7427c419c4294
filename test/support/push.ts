import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { PageTask, Task } from '@rdc/contracts';
import { encodeTask, loadServices, silentLog, taskAttributes } from '@rdc/contracts';
import { createTaskProcessor, planRun } from '@rdc/core';
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry, type SourceRegistry } from '@rdc/source';
import { createPushServer, type PushAuthorizer, type PushServer, type PushServerOptions } from '@rdc/worker';
import { filesIn } from './cli.js';
import { RecordingPublisher } from './fakes.js';
import { tempDir } from './hooks.js';

let counter = 0;

/** A Pub/Sub push envelope for a task, as a push subscription posts it. */
export function envelopeFor(task: Task, deliveryAttempt = 1, messageId = `m-${++counter}`): Record<string, unknown> {
  return {
    message: {
      data: encodeTask(task).toString('base64'),
      attributes: taskAttributes(task),
      messageId,
      publishTime: new Date().toISOString(),
    },
    subscription: 'projects/local-project/subscriptions/rdc-test-push',
    deliveryAttempt,
  };
}

export function rawEnvelope(data: string, messageId = `m-${++counter}`): Record<string, unknown> {
  return { message: { data, messageId, attributes: {} }, subscription: 'projects/p/subscriptions/s' };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** A locally generated RSA key set that signs tokens shaped like Google's OIDC tokens. */
export class TestSigner {
  readonly kid = 'test-key-1';
  private readonly privateKey: KeyObject;
  readonly publicPem: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  certs(): Record<string, string> {
    return { [this.kid]: this.publicPem };
  }

  sign(claims: Record<string, unknown>, signer: KeyObject = this.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const payload = { iss: 'https://accounts.google.com', iat: now, exp: now + 3600, ...claims };
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc(header)}.${enc(payload)}`;
    const signature = createSign('RSA-SHA256').update(input).sign(signer).toString('base64url');
    return `${input}.${signature}`;
  }

  static otherKey(): KeyObject {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
}

/**
 * A push worker over the bundled mock API and a folder sink, with one run of
 * retail/customers planned from 2024-07-01 to `end`: the fixture of the push
 * worker's integration tests. `startServer` listens on a loopback port;
 * `close` stops everything it started and removes the folder.
 */
export class PushWorkerFixture {
  readonly catalog = loadServices();
  readonly sink: FileSink;
  server: PushServer | undefined;
  url = '';
  tasks: PageTask[] = [];
  /** The files planning wrote, before any page landed. */
  planned: string[] = [];

  private constructor(
    readonly api: MockApi,
    /** The API sources; a test may swap in its own (the fixture closes whichever is set). */
    public sources: SourceRegistry,
    readonly dir: string,
    private readonly cleanup: () => void,
  ) {
    this.sink = new FileSink(dir);
  }

  static async create(options: { end: string; mock?: Partial<MockApiOptions> }): Promise<PushWorkerFixture> {
    const api = await createMockApi(options.mock ?? {});
    const { dir, cleanup } = tempDir();
    const fixture = new PushWorkerFixture(
      api,
      createSourceRegistry(loadServices(), { env: { API_BASE_URL: api.url } }),
      dir,
      cleanup,
    );
    const publisher = new RecordingPublisher();
    await planRun(
      {
        service: 'retail',
        endpoint: 'customers',
        start: new Date('2024-07-01T00:00:00Z'),
        end: new Date(options.end),
        now: new Date('2025-01-01T00:00:00Z'),
        endGranularityMs: 3_600_000,
      },
      {
        catalog: fixture.catalog,
        source: fixture.sources.sourceFor('retail'),
        sink: fixture.sink,
        publisher,
        log: silentLog,
      },
    );
    fixture.tasks = publisher.tasks as PageTask[];
    fixture.planned = filesIn(dir);
    return fixture;
  }

  /** Starts the push server (a 64 KiB body limit unless `more` says otherwise) and sets `url`. */
  async startServer(
    authorize: PushAuthorizer = () => Promise.resolve(undefined),
    more: Partial<Omit<PushServerOptions, 'process' | 'authorize'>> = {},
  ): Promise<PushServer> {
    const process = createTaskProcessor({
      catalog: this.catalog,
      sourceFor: (s) => this.sources.sourceFor(s),
      sink: this.sink,
      log: silentLog,
      gzip: false,
      maxDeliveryAttempts: 5,
    });
    const server = createPushServer({
      process,
      authorize,
      log: silentLog,
      maxBodyBytes: 65536,
      requestTimeoutMs: 30_000,
      ...more,
    });
    this.server = server;
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;
    return server;
  }

  async close(): Promise<void> {
    await this.server?.shutdown(1000);
    this.server = undefined;
    this.sources.close();
    await this.api.close();
    this.cleanup();
  }
}
