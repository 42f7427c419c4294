import { parseArgs } from 'node:util';
import { bigQuerySchema, ConfigError, jsonSchema, loadServices, resolveEndpoint } from '@rdc/contracts';

export const SCHEMA_HELP = `Usage: npm run schema -- --service <name> --endpoint <name> [--format bigquery|json-schema] [--config-dir <path>]

Prints the schema of an endpoint's records, from its config:
  bigquery     (default) a BigQuery schema file: STRING, INT64, FLOAT64, BOOL, TIMESTAMP, DATETIME, DATE,
               JSON, RECORD and REPEATED; REQUIRED unless the field is optional. The dt
               partition key is not a column (Hive partitioning adds it).
  json-schema  a JSON Schema (draft 2020-12) of one record.`;

const FORMATS = ['bigquery', 'json-schema'] as const;

/** `schema --service S --endpoint E [--format F]`: the schema as JSON on stdout. Bad arguments are a ConfigError (exit 2). */
export function schemaCommand(argv: string[], env: NodeJS.ProcessEnv): string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        service: { type: 'string' },
        endpoint: { type: 'string' },
        format: { type: 'string' },
        'config-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${SCHEMA_HELP}`);
  }
  if (values.help) return SCHEMA_HELP;
  const { service, endpoint } = values;
  if (typeof service !== 'string' || typeof endpoint !== 'string') {
    throw new ConfigError(`schema needs --service and --endpoint.\n${SCHEMA_HELP}`);
  }
  const format = values.format ?? 'bigquery';
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) {
    throw new ConfigError(`--format must be one of ${FORMATS.join(', ')}, got "${String(format)}".`);
  }
  const dir = typeof values['config-dir'] === 'string' ? values['config-dir'] : env.RDC_CONFIG_DIR;
  const { endpoint: config } = resolveEndpoint(loadServices(dir), service, endpoint);
  const schema =
    format === 'bigquery' ? bigQuerySchema(config.schema) : jsonSchema(config.schema, `${service}.${endpoint}`);
  return JSON.stringify(schema, null, 2);
}
