import { readFileSync } from 'node:fs';
import { type AuthConfig, ConfigError } from '@rdc/contracts';

/** The secrets of a service's auth, as read from the environment. */
export interface Secrets {
  /** The key or token (`header`, `bearer`, `query`, `api-key`). */
  key?: string;
  /** `basic`: user and secret. */
  user?: string;
  secret?: string;
}

/**
 * One secret: from the env variable `name`, or else from the file named by
 * `${name}_FILE`. Whitespace is trimmed. Undefined when absent and not
 * required; a ConfigError naming both variables when required. The value never
 * appears in an error.
 */
export function readSecret(
  name: string,
  env: NodeJS.ProcessEnv,
  required: boolean,
  what = 'The API key',
): string | undefined {
  const direct = env[name]?.trim();
  if (direct) return direct;
  const fileVar = `${name}_FILE`;
  const file = env[fileVar]?.trim();
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'read error';
      throw new ConfigError(
        `Cannot read the file ${file} named by ${fileVar} (${code}). Mount the secret at that path, or set ${name} instead.`,
      );
    }
    const value = text.trim();
    if (value) return value;
    if (required)
      throw new ConfigError(`The file ${file} named by ${fileVar} is empty. Put the secret in it, or set ${name}.`);
    return undefined;
  }
  if (required) {
    throw new ConfigError(
      `${what} is missing: set ${name}, or ${fileVar} to a file that holds it (the service's auth requires it).`,
    );
  }
  return undefined;
}

/** Reads every secret `auth` needs; ConfigError names the variables of a missing required one. */
export function readSecrets(auth: AuthConfig, env: NodeJS.ProcessEnv = process.env): Secrets {
  switch (auth.type) {
    case 'none':
      return {};
    case 'basic': {
      const user = readSecret(auth.userEnv, env, auth.required, 'The basic auth user');
      const secret = readSecret(auth.secretEnv, env, auth.required, 'The basic auth secret');
      return { ...(user !== undefined && { user }), ...(secret !== undefined && { secret }) };
    }
    default: {
      const key = readSecret(auth.env, env, auth.required);
      return key === undefined ? {} : { key };
    }
  }
}

/**
 * Reads the API key for `auth` (the key of a `header`, `bearer`, `query` or
 * `api-key` auth); see `readSecret`.
 */
export function readApiKey(auth: AuthConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (auth.type === 'none' || auth.type === 'basic') return undefined;
  return readSecrets(auth, env).key;
}
