#!/usr/bin/env node
// `npm run config-docs`: writes the config reference (docs/config.md) and the JSON Schema
// for editors (config/service.schema.json), both generated from the zod schemas.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configReferenceFiles } from '@rdc/contracts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
for (const [path, content] of configReferenceFiles()) {
  writeFileSync(join(root, path), content);
  process.stdout.write(`wrote ${path}\n`);
}
