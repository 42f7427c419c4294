import { type AuthConfig, ConfigError, MAX_SECRET_FILE_BYTES, readSmallFile, SmallFileError } from '@rdc/contracts';

/** The secrets of a service's auth, as read from the environment. */
export interface Secrets {
  /** The key or token (`header`, `bearer`, `query`, `api-key`). */
  key?: string;
  /** `basic`: user and secret. */
  user?: string;
  secret?: string;
}

/** Control characters (a newline, a tab, NUL, DEL): no HTTP header or query can carry them. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The secret, unless it holds a control character: then a ConfigError naming `where`, never the value. */
function checked(value: string, where: string): string {
  if (CONTROL.test(value)) {
    throw new ConfigError(
      `${where} holds a control character (a line break, tab or similar) inside the secret; no HTTP request can carry it. ` +
        'Set the secret alone on one line, with no line breaks inside it.',
    );
  }
  return value;
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
  if (direct) return checked(direct, name);
  const fileVar = `${name}_FILE`;
  const file = env[fileVar]?.trim();
  if (file) {
    let text: string;
    try {
      text = readSmallFile(file, MAX_SECRET_FILE_BYTES).toString('utf8');
    } catch (error) {
      if (!(error instanceof SmallFileError)) throw error;
      throw new ConfigError(
        `The file ${file} named by ${fileVar} ${error.message}. Mount the secret at that path as a regular file, or set ${name} instead.`,
      );
    }
    const value = text.trim();
    if (value) return checked(value, `the file ${file} named by ${fileVar}`);
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
