import type { ClientConfig, PubSub } from '@google-cloud/pubsub';
import { ConfigError } from '@rdc/contracts';
import { pubsubSdk } from './pubsub-sdk.js';

export interface PubSubClientOptions {
  /** The Google Cloud project of the topics and subscriptions. Always explicit. */
  projectId: string;
  /**
   * `host:port` of a Pub/Sub emulator, or another Pub/Sub endpoint. Unset: the
   * `PUBSUB_EMULATOR_HOST` environment variable, else Google's endpoint.
   * @example '127.0.0.1:8085'
   */
  apiEndpoint?: string;
}

/** True for Google's own endpoints (pubsub.googleapis.com, regional ones), as the client decides it. */
function isGoogleEndpoint(endpoint: string): boolean {
  const host = endpoint.replace(/^https?:\/\//, '').split(/[:/]/)[0] ?? '';
  return host.endsWith('.googleapis.com');
}

/**
 * One Pub/Sub client. The project id is always explicit, so the client never asks the
 * metadata server or gcloud for it. Against an emulator it also uses plaintext gRPC and
 * a fixed universe domain, so it never looks for credentials at all (otherwise each
 * new gRPC stub probes the metadata server and logs a MetadataLookupWarning off GCP).
 */
export function createPubSub({ projectId, apiEndpoint }: PubSubClientOptions): PubSub {
  const endpoint = apiEndpoint ?? process.env['PUBSUB_EMULATOR_HOST'];
  if (typeof projectId !== 'string' || projectId.trim() === '') {
    throw new ConfigError(
      `Pub/Sub needs an explicit project id${endpoint ? ` (endpoint ${endpoint})` : ''}, got \`${String(projectId)}\`.`,
    );
  }
  const config: ClientConfig = { projectId };
  if (endpoint) {
    config.apiEndpoint = endpoint;
    if (!isGoogleEndpoint(endpoint)) Object.assign(config, { emulatorMode: true, universeDomain: 'googleapis.com' });
  }
  return new (pubsubSdk().PubSub)(config);
}
