import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, ownValue } from '@rdc/contracts';

/**
 * The Pub/Sub topics and subscriptions of a local stack, from the one definition that
 * docker/init-emulators.sh also reads (docker/pubsub-topology.txt): one emulator REST
 * call a line, `<when> <path> <JSON body>` with {{NAME}} placeholders.
 */
export const TOPOLOGY_FILE = fileURLToPath(new URL('../../../docker/pubsub-topology.txt', import.meta.url));

/** The placeholders' values; the defaults match docker-compose.yml and docs/deploy.md. */
export interface TopologyValues {
  PROJECT_ID: string;
  TOPIC: string;
  DEAD_LETTER_TOPIC: string;
  DEAD_LETTER_SUBSCRIPTION: string;
  PUSH_SUBSCRIPTION: string;
  PULL_SUBSCRIPTION: string;
  PUSH_ENDPOINT: string;
  ACK_DEADLINE_SECONDS: string;
  MAX_DELIVERY_ATTEMPTS: string;
  MIN_RETRY_DELAY: string;
  MAX_RETRY_DELAY: string;
}

export const TOPOLOGY_DEFAULTS: Omit<TopologyValues, 'PROJECT_ID' | 'PUSH_ENDPOINT'> = {
  TOPIC: 'rdc-pages',
  DEAD_LETTER_TOPIC: 'rdc-pages-dead',
  DEAD_LETTER_SUBSCRIPTION: 'rdc-pages-dead-sub',
  PUSH_SUBSCRIPTION: 'rdc-pages-push',
  PULL_SUBSCRIPTION: 'rdc-pages-pull',
  ACK_DEADLINE_SECONDS: '60',
  MAX_DELIVERY_ATTEMPTS: '5',
  MIN_RETRY_DELAY: '10s',
  MAX_RETRY_DELAY: '600s',
};

export interface TopologyCall {
  /** `all`, `push` or `pull`. */
  when: string;
  path: string;
  body: string;
}

/** Parses the definition; `file` names it in errors. */
export function parseTopology(text: string, file: string): TopologyCall[] {
  return text.split('\n').flatMap((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return [];
    const m = /^(all|push|pull)\s+(\S+)\s+(\{.*\})$/.exec(line);
    if (!m) throw new ConfigError(`${file}:${i + 1}: expected "<all|push|pull> <path> <JSON body>", got "${line}".`);
    return [{ when: m[1]!, path: m[2]!, body: m[3]! }];
  });
}

/** The calls for a worker mode, placeholders filled; an unknown placeholder is an error. */
export function fillTopology(calls: TopologyCall[], mode: 'pull' | 'push', values: TopologyValues): TopologyCall[] {
  const fill = (text: string): string =>
    text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const value = ownValue(values as unknown as Record<string, string | undefined>, name);
      if (value === undefined) throw new ConfigError(`${TOPOLOGY_FILE} uses {{${name}}}, which has no value.`);
      return name === 'PUSH_ENDPOINT' ? JSON.stringify(value).slice(1, -1) : value;
    });
  return calls
    .filter((c) => c.when === 'all' || c.when === mode)
    .map((c) => ({ when: c.when, path: fill(c.path), body: fill(c.body) }));
}

export function loadTopology(mode: 'pull' | 'push', values: TopologyValues, file = TOPOLOGY_FILE): TopologyCall[] {
  return fillTopology(parseTopology(readFileSync(file, 'utf8'), file), mode, values);
}

/**
 * PUTs each call to the emulator at `host`: 200 created, 409 there already. A push
 * subscription left by an earlier stack gets its endpoint moved to `PUSH_ENDPOINT`.
 */
export async function applyTopology(
  host: string,
  values: TopologyValues,
  calls: TopologyCall[],
  report: (line: string) => void,
): Promise<void> {
  const base = `http://${host}/v1/projects/${values.PROJECT_ID}`;
  for (const call of calls) {
    const res = await fetch(`${base}/${call.path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: call.body,
    });
    const text = await res.text();
    if (res.status !== 200 && res.status !== 409)
      throw new Error(
        `Creating ${call.path} in the Pub/Sub emulator at ${host} failed with HTTP ${res.status}: ${text}`,
      );
    report(`${call.path} ${res.status === 200 ? 'created' : 'exists already'}`);
    if (res.status === 409 && call.path === `subscriptions/${values.PUSH_SUBSCRIPTION}`) {
      const moved = await fetch(`${base}/${call.path}:modifyPushConfig`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pushConfig: { pushEndpoint: values.PUSH_ENDPOINT } }),
      });
      if (!moved.ok)
        throw new Error(`Pointing ${call.path} at ${values.PUSH_ENDPOINT} failed with HTTP ${moved.status}.`);
    }
  }
}
