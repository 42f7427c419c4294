import { AuthConfig, ConfigError } from '@rdc/contracts';

export const PROBE_AUTH_HELP = `--auth takes the scheme and the NAMES of env variables, never a secret:
  bearer:<VAR>                 Authorization: Bearer <token from VAR>
  header:<Header-Name>:<VAR>   the key in a header, e.g. header:X-Shopify-Access-Token:SHOPIFY_ACCESS_TOKEN
  basic:<USER_VAR>:<SECRET_VAR>  Authorization: Basic base64(user:secret)
  query:<param>:<VAR>          the key in a query parameter, e.g. query:api_key:SHOP_KEY
Each <VAR> may instead be given as <VAR>_FILE, naming a file that holds the secret.`;

const VAR = /^[A-Z][A-Z0-9_]*$/;

/** `--auth` read: the block for the draft config as the user would write it, and the same with its defaults. */
export interface ProbeAuth {
  draft: Record<string, unknown>;
  auth: AuthConfig;
}

/** The `auth` block of a config from `--auth`. Errors name the part that is wrong, never echo a value that could be a secret. */
export function parseAuthSpec(spec: string | undefined): ProbeAuth {
  if (spec === undefined || spec === 'none') return { draft: { type: 'none' }, auth: { type: 'none' } };
  const [type, ...parts] = spec.split(':');
  const fail = (what: string): never => {
    throw new ConfigError(`--auth ${type ?? ''}:…: ${what}.\n${PROBE_AUTH_HELP}`);
  };
  const variable = (value: string | undefined, where: string): string => {
    if (value === undefined || value === '') return fail(`${where} is missing`);
    if (!VAR.test(value)) {
      return fail(
        `${where} must be the NAME of an env variable (capital letters, digits and "_", e.g. API_TOKEN) that holds the secret, not the secret itself`,
      );
    }
    return value;
  };
  const expect = (count: number) => {
    if (parts.length !== count)
      fail(`expected ${count} part${count === 1 ? '' : 's'} after "${type}:", got ${parts.length}`);
  };
  let raw: Record<string, unknown>;
  switch (type) {
    case 'bearer':
      expect(1);
      raw = { type, env: variable(parts[0], 'the variable') };
      break;
    case 'header':
      expect(2);
      raw = { type, name: parts[0], env: variable(parts[1], 'the variable') };
      break;
    case 'basic':
      expect(2);
      raw = {
        type,
        userEnv: variable(parts[0], 'the user variable'),
        secretEnv: variable(parts[1], 'the secret variable'),
      };
      break;
    case 'query':
      expect(2);
      raw = { type, param: parts[0], env: variable(parts[1], 'the variable') };
      break;
    default:
      return fail('the scheme must be bearer, header, basic, query or none');
  }
  const parsed = AuthConfig.safeParse(raw);
  if (!parsed.success) {
    return fail(
      type === 'header'
        ? 'the header name must be an HTTP header name such as X-API-Key'
        : 'the parameter name must be a query parameter name such as api_key',
    );
  }
  return { draft: raw, auth: parsed.data };
}
