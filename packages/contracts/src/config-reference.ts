import { z } from 'zod';
import { ServiceConfig } from './service-config.js';

/** A JSON Schema node, as z.toJSONSchema writes it (the parts read here). */
interface Node {
  type?: string | string[];
  description?: string;
  examples?: unknown[];
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  oneOf?: Node[];
  anyOf?: Node[];
  items?: Node;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  $ref?: string;
  $defs?: Record<string, Node>;
  [key: string]: unknown;
}

/** Where the generated files go, relative to the repository root. */
export const CONFIG_REFERENCE_PATHS = {
  markdown: 'docs/config.md',
  jsonSchema: 'config/service.schema.json',
} as const;

/** The JSON Schema of a service config file (draft 2020-12), generated from the zod schema. */
export function serviceConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ServiceConfig, { io: 'input', unrepresentable: 'any' }) as Node;
  return {
    $schema: schema['$schema'],
    title: 'Retail Data Connector service config',
    description:
      'One API: its base URL, auth, limits and endpoints. Generated from the zod schema (npm run config-docs); see docs/config.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;
/** Table-cell text: pipes escaped, and `<` outside code spans, so `<service>` is not taken for HTML. */
const cell = (text: string): string =>
  text
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** The variants of a union node (object variants only). */
const variants = (node: Node): Node[] =>
  (node.oneOf ?? node.anyOf ?? []).filter((v) => v.type === 'object' && v.properties !== undefined);

/** The key whose `const` tells a union's variants apart, e.g. `style` or `type`. */
function discriminator(options: Node[]): string | undefined {
  const first = options[0]?.properties ?? {};
  return Object.keys(first).find((key) => options.every((v) => v.properties?.[key]?.const !== undefined));
}

function typeOf(node: Node, resolve: (n: Node) => Node): string {
  // A shared definition is a record schema's field type (the only recursive one).
  if (node.$ref !== undefined) return 'field type';
  const n = resolve(node);
  if (n.const !== undefined) return code(n.const);
  if (n.enum) return n.enum.map(code).join(' | ');
  const options = n.oneOf ?? n.anyOf;
  if (options) {
    const key = discriminator(variants(n));
    if (key) return `object, by \`${key}\``;
    return [...new Set(options.map((o) => typeOf(o, resolve)))].join(' or ');
  }
  if (n.type === 'object' && n.additionalProperties && typeof n.additionalProperties === 'object' && !n.properties) {
    return `map of ${typeOf(n.additionalProperties, resolve)}`;
  }
  if (n.type === 'array' && n.items) return `array of ${typeOf(n.items, resolve)}`;
  const type = Array.isArray(n.type) ? n.type.join(' or ') : (n.type ?? 'any');
  const bounds = [
    n.minimum !== undefined ? `≥ ${n.minimum}` : n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : '',
    n.maximum !== undefined && n.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${n.maximum}` : '',
  ].filter(Boolean);
  return bounds.length > 0 ? `${type} ${bounds.join(', ')}` : type;
}

interface Section {
  /** Dotted path of the object, '' at the top level. */
  path: string;
  /** For a union's variant: e.g. `type "bearer"`. */
  variant?: string;
  intro: string;
  rows: string[][];
}

/**
 * The sections of the reference: one per object in the config (its keys in a table),
 * one per variant of a union (`auth` by `type`, `pagination` by `style`), depth first.
 */
function sections(root: Node): Section[] {
  const defs = root.$defs ?? {};
  const resolve = (n: Node): Node => {
    const ref = n.$ref?.replace(/^#\/\$defs\//, '');
    return ref !== undefined && defs[ref] ? { ...defs[ref], ...n, $ref: undefined } : n;
  };
  const out: Section[] = [];
  const visit = (node: Node, path: string, intro: string, variant?: string): void => {
    const n = resolve(node);
    const options = variants(n);
    const key = discriminator(options);
    if (key) {
      for (const option of options) {
        const tag = option.properties?.[key]?.const;
        visit(option, path, option.properties?.[key]?.description ?? '', `${key} ${code(tag)}`);
      }
      return;
    }
    if (!n.properties) return;
    const required = new Set(n.required ?? []);
    const nested: [Node, string, string][] = [];
    const rows = Object.entries(n.properties).map(([name, raw]) => {
      const p = resolve(raw);
      const at = path === '' ? name : `${path}.${name}`;
      const map = p.type === 'object' && !p.properties && typeof p.additionalProperties === 'object';
      const child = map ? resolve(p.additionalProperties as Node) : p;
      if (child.properties || discriminator(variants(child))) {
        nested.push([child, map ? `${at}.<name>` : at, p.description ?? '']);
      }
      const fallback = p.default !== undefined ? code(p.default) : required.has(name) ? 'required' : 'optional';
      const example = p.examples?.[0] ?? (p.const !== undefined ? p.const : undefined);
      return [
        `\`${name}\``,
        cell(typeOf(p, resolve)),
        fallback,
        cell(p.description ?? ''),
        example === undefined ? '' : cell(code(example)),
      ];
    });
    out.push({ path, intro, rows, ...(variant !== undefined && { variant }) });
    for (const [child, path, description] of nested) visit(child, path, description);
  };
  visit(root, '', root.description ?? '');
  return out;
}

/** docs/config.md: every key of a service config, with its type, default, meaning and an example. */
export function configReferenceMarkdown(): string {
  const schema = serviceConfigJsonSchema() as Node;
  const lines = [
    '# Service config reference',
    '',
    '<!-- Generated from the zod schemas in packages/contracts/src/service-config.ts by',
    '     `npm run config-docs`; a test fails when this file is stale. Do not edit it by hand. -->',
    '',
    'Each API is one JSON file in the config folder (`config/services/` unless `--config-dir` or',
    '`RDC_CONFIG_DIR` names another): `<service>.json`, holding one service and its endpoints. The',
    'file is checked completely at start-up; an error names the file, the key, the value and what',
    'was expected (exit 2). Add `"$schema": "../service.schema.json"` (the path from the file to',
    '`config/service.schema.json`) and editors complete and check the keys as you type.',
    '',
    'Defaults apply when a key is left out; "required" keys must be given. Durations are written',
    'like `30m`, `1h` or `1d`; dates as ISO dates (`2024-07-01`, midnight UTC) or datetimes.',
  ];
  for (const section of sections(schema)) {
    const title = section.path === '' ? 'Top level' : `\`${section.path}\``;
    lines.push('', `## ${title}${section.variant ? ` with ${section.variant}` : ''}`, '');
    if (section.intro && section.path !== '') lines.push(cell(section.intro), '');
    lines.push('| Key | Type | Default | Meaning | Example |', '| --- | --- | --- | --- | --- |');
    for (const row of section.rows) lines.push(`| ${row.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The generated files' contents, by path relative to the repository root. */
export function configReferenceFiles(): Map<string, string> {
  return new Map([
    [CONFIG_REFERENCE_PATHS.markdown, configReferenceMarkdown()],
    [CONFIG_REFERENCE_PATHS.jsonSchema, `${JSON.stringify(serviceConfigJsonSchema(), null, 2)}\n`],
  ]);
}

/**
 * Keys of the config the generated reference leaves without a meaning or an example:
 * each must get `.meta({ description, examples })` in the zod schema.
 */
export function undocumentedConfigKeys(): string[] {
  const missing: string[] = [];
  for (const section of sections(serviceConfigJsonSchema())) {
    for (const [key, , , meaning, example] of section.rows) {
      const name = key?.replace(/`/g, '') ?? '';
      if (!meaning || !example) missing.push(section.path === '' ? name : `${section.path}.${name}`);
    }
  }
  return missing;
}
