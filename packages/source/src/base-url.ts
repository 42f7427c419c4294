import { ConfigError, type ServiceConfig } from '@rdc/contracts';

/** `RETAIL_API_BASE_URL` for service `retail`: the variable that points one service at its API. */
export function baseUrlVariable(service: string): string {
  return `${service.toUpperCase()}_API_BASE_URL`;
}

export interface ResolvedBaseUrl {
  url: string;
  /** Where it came from, for logs: the variable, or the config. */
  from: string;
}

/**
 * The base URL of `service`: `<SERVICE>_API_BASE_URL`, else `API_BASE_URL`
 * when the process serves this service alone (`sole`), else the config's
 * `baseUrl`. `API_BASE_URL` in a process that may serve several services is a
 * ConfigError: it would point every one of them at the same API.
 */
export function baseUrlFor(
  service: ServiceConfig,
  env: NodeJS.ProcessEnv,
  sole: boolean,
  others: readonly string[] = [],
): ResolvedBaseUrl {
  const own = baseUrlVariable(service.service);
  const specific = env[own]?.trim();
  if (specific) return { url: specific, from: own };
  const shared = env.API_BASE_URL?.trim();
  if (shared) {
    if (!sole) {
      throw new ConfigError(
        `API_BASE_URL is set, but this process serves several services (${others.join(', ')}), and it would send ` +
          `every one of them to ${shared}. Set ${own} (one <SERVICE>_API_BASE_URL per service) instead, or unset API_BASE_URL.`,
      );
    }
    return { url: shared, from: 'API_BASE_URL' };
  }
  return { url: service.baseUrl, from: `baseUrl of service "${service.service}"` };
}
