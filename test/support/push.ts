import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Task } from '@rdc/contracts';
import { encodeTask, taskAttributes } from '@rdc/contracts';

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
