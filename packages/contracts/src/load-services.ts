import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configGaps, describeGaps } from './config-gaps.js';
import { ConfigError } from './errors.js';
import { ownValue } from './own-keys.js';
import { MAX_CONFIG_FILE_BYTES, readSmallFile, SmallFileError } from './small-file.js';
import { ServiceConfig } from './service-config.js';
import { describeZodError } from './zod-errors.js';

/** The folder of service JSON files shipped with the connector. */
export function defaultConfigDir(): string {
  return fileURLToPath(new URL('../../../config/services', import.meta.url));
}

export interface ServiceCatalog {
  readonly dir: string;
  readonly services: ReadonlyMap<string, ServiceConfig>;
}

/** The dotted path of the first own `__proto__` key in a parsed JSON value, if any. */
function reservedKeyPath(value: unknown, path: string[] = []): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__' || key === '__proto__?') return [...path, key].join('.');
    const found = reservedKeyPath(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Reads and validates every `*.json` in `dir`: one service per file. A new
 * service is a new file; no code changes.
 */
export function loadServices(dir: string = process.env.RDC_CONFIG_DIR ?? defaultConfigDir()): ServiceCatalog {
  const abs = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(abs).filter((f) => f.endsWith('.json') && !f.startsWith('_'));
  } catch (error) {
    throw new ConfigError(
      `Cannot read the service config folder ${abs}: ${(error as Error).message}. Set RDC_CONFIG_DIR or --config-dir to a folder of service JSON files.`,
    );
  }
  const services = new Map<string, ServiceConfig>();
  for (const file of files.sort()) {
    const path = join(abs, file);
    let text: string;
    try {
      text = readSmallFile(path, MAX_CONFIG_FILE_BYTES).toString('utf8');
    } catch (error) {
      if (!(error instanceof SmallFileError)) throw error;
      throw new ConfigError(
        `Service config ${path} ${error.message}. Each *.json in the config folder (RDC_CONFIG_DIR, --config-dir) must be a regular file of one service's JSON.`,
      );
    }
    let raw: unknown;
    try {
      // A UTF-8 byte order mark (as some editors on Windows save) is not part of the JSON.
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new ConfigError(`Service config ${path} is not valid JSON: ${(error as Error).message}`);
    }
    const reserved = reservedKeyPath(raw);
    if (reserved !== undefined) {
      throw new ConfigError(
        `Service config ${path} is invalid:\n  - ${reserved}: the key "__proto__" cannot be used (JavaScript reserves it, so it would be dropped silently); rename or remove it.`,
      );
    }
    const gaps = configGaps(raw);
    if (gaps.length > 0) throw new ConfigError(describeGaps(gaps, `Service config ${path}`));
    const parsed = ServiceConfig.safeParse(raw);
    if (!parsed.success) throw new ConfigError(describeZodError(parsed.error, `Service config ${path}`, raw));
    const prior = services.get(parsed.data.service);
    if (prior)
      throw new ConfigError(`Service "${parsed.data.service}" is defined twice in ${abs}; rename one of them.`);
    services.set(parsed.data.service, parsed.data);
  }
  if (services.size === 0) throw new ConfigError(`No service config (*.json) found in ${abs}.`);
  return { dir: abs, services };
}

/** Looks up a service and endpoint; an unknown name lists the valid ones. */
export function resolveEndpoint(catalog: ServiceCatalog, service: string, endpoint: string) {
  const svc = catalog.services.get(service);
  if (!svc) {
    throw new ConfigError(
      `Unknown service "${service}". Valid services: ${[...catalog.services.keys()].sort().join(', ')} (from ${catalog.dir}).`,
    );
  }
  const ep = ownValue(svc.endpoints, endpoint);
  if (!ep) {
    throw new ConfigError(
      `Unknown endpoint "${endpoint}" for service "${service}". Valid endpoints: ${Object.keys(svc.endpoints).sort().join(', ')}.`,
    );
  }
  return { service: svc, endpoint: ep };
}
