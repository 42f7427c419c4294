import { readFileSync } from 'node:fs';
import { type AuthConfig, ConfigError } from '@rdc/contracts';

/**
 * Reads the API key for `auth`: from the env variable `auth.env`, or else from
 * the file named by `${auth.env}_FILE` (a mounted Secret Manager secret).
 * Whitespace is trimmed. Returns undefined when there is no key and none is
 * required; throws ConfigError naming the variables when a required key is missing.
 * The key itself never appears in an error.
 */
export function readApiKey(auth: AuthConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (auth.type !== 'api-key') return undefined;
  const direct = env[auth.env]?.trim();
  if (direct) return direct;
  const fileVar = `${auth.env}_FILE`;
  const file = env[fileVar]?.trim();
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'read error';
      throw new ConfigError(
        `Cannot read the API key file ${file} named by ${fileVar} (${code}). Mount the secret at that path, or set ${auth.env} instead.`,
      );
    }
    const key = text.trim();
    if (key) return key;
    if (auth.required) {
      throw new ConfigError(
        `The API key file ${file} named by ${fileVar} is empty. Put the key in it, or set ${auth.env}.`,
      );
    }
    return undefined;
  }
  if (auth.required) {
    throw new ConfigError(
      `The API key is missing: set ${auth.env} to the key, or ${fileVar} to a file that holds it (this service requires a key).`,
    );
  }
  return undefined;
}
