import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
import { AuthConfig } from '@rdc/contracts';
import { COMMON_FLAGS } from '@rdc/runtime';
import { spellings } from '@rdc/runtime/flags.js';
import { baseUrlVariable } from '@rdc/source';
import { appEnv, readRepo, repoRoot, sourcesOf, workspaceClosure } from '../support/app-env.js';

/**
 * Static checks of the Terraform module in deploy/terraform: Terraform cannot run
 * here, so the HCL is parsed (@cdktf/hcl2json) and compared with the apps' code,
 * docker/pubsub-topology.txt and the deploy guide.
 */
const MODULE = 'deploy/terraform';

type Block = Record<string, unknown>;
interface Module {
  variables: Map<string, Block>;
  locals: Map<string, unknown>;
  /** `type.name` → the resource's body. */
  resources: Map<string, Block>;
}

async function parseFile(file: string): Promise<Record<string, unknown>> {
  return (await parseHcl(file, readRepo(`${MODULE}/${file}`))) as Record<string, unknown>;
}

async function loadModule(): Promise<Module> {
  const mod: Module = { variables: new Map(), locals: new Map(), resources: new Map() };
  for (const file of readdirSync(join(repoRoot, MODULE)).filter((f) => f.endsWith('.tf'))) {
    const json = await parseFile(file);
    for (const [name, [body]] of Object.entries((json.variable ?? {}) as Record<string, Block[]>))
      mod.variables.set(name, body ?? {});
    for (const block of (json.locals ?? []) as Block[])
      for (const [k, v] of Object.entries(block)) mod.locals.set(k, v);
    for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, Block[]>>))
      for (const [name, [body]] of Object.entries(byName)) mod.resources.set(`${type}.${name}`, body ?? {});
  }
  return mod;
}

/** The first block `name` of a body (hcl2json wraps each block in an array). */
const block = (body: unknown, name: string): Block =>
  (body as Record<string, Block[] | undefined> | undefined)?.[name]?.[0] ?? {};

/**
 * A string expression with its references to variables (their defaults), locals
 * and resource names resolved, e.g. "${var.name_prefix}-pages" → "rdc-pages".
 * Anything it cannot resolve stays as written.
 */
function evaluate(mod: Module, value: unknown, depth = 0): unknown {
  if (typeof value !== 'string' || depth > 10) return value;
  const whole = /^\$\{([\w.]+)\}$/.exec(value);
  const resolve = (ref: string): unknown => {
    const [kind, name, attr] = ref.split('.');
    if (kind === 'var') return mod.variables.get(name ?? '')?.default;
    if (kind === 'local') return evaluate(mod, mod.locals.get(name ?? ''), depth + 1);
    const resource = mod.resources.get(`${kind}.${name}`);
    if (resource && (attr === 'id' || attr === 'name')) return evaluate(mod, resource.name, depth + 1);
    return undefined;
  };
  if (whole) return resolve(whole[1]!) ?? value;
  return value.replace(/\$\{([\w.]+)\}/g, (text, ref: string) => {
    const v = resolve(ref);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : text;
  });
}

const resourcesOf = (mod: Module, type: string): [string, Block][] =>
  [...mod.resources].filter(([key]) => key.startsWith(`${type}.`));

/** The object of a local that is written as a literal object: its keys. */
function literalKeys(mod: Module, local: string): string[] {
  const value = mod.locals.get(local);
  expect(value, `local.${local} is a literal object`).to.be.an('object');
  return Object.keys(value as object);
}

/** The topology lines a push deployment creates: `<path> <body>` with the placeholders filled. */
function topology(fill: Record<string, string>): { path: string; body: Record<string, unknown> }[] {
  return readRepo('docker/pubsub-topology.txt')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => /^(\S+)\s+(\S+)\s+(.*)$/.exec(line)!)
    .filter(([, when]) => when === 'all' || when === 'push')
    .map(([, , path, body]) => {
      const filled = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => fill[name] ?? `{{${name}}}`);
      return { path: filled(path!), body: JSON.parse(filled(body!)) as Record<string, unknown> };
    });
}

describe('deploy/terraform (static)', () => {
  let mod: Module;
  before(async () => {
    mod = await loadModule();
  });

  it('parses, and so does the example terraform.tfvars; a syntax error would be caught', async () => {
    expect(mod.resources.size).to.be.greaterThan(20);
    const example = await parseFile('terraform.tfvars.example');
    expect(example).to.have.property('services');
    const broken = await parseHcl('broken.tf', 'resource "a" "b" {\n  x = \n').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(broken, 'hcl2json rejects broken HCL').to.be.instanceOf(Error);
  });

  it('documents every variable; the example sets only variables that exist, and every required one', async () => {
    for (const [name, body] of mod.variables) {
      expect(body.description, `variable ${name} has a description`).to.be.a('string').with.length.greaterThan(20);
    }
    const example = await parseFile('terraform.tfvars.example');
    for (const key of Object.keys(example)) expect([...mod.variables.keys()], `tfvars sets ${key}`).to.include(key);
    for (const [name, body] of mod.variables) {
      if (!('default' in body)) expect(Object.keys(example), `tfvars sets required ${name}`).to.include(name);
    }
  });

  it('sets on the worker only env variables the worker reads', () => {
    const reads = appEnv('worker');
    for (const local of ['worker_env_fixed', 'worker_env_optional'])
      for (const name of literalKeys(mod, local)) expect([...reads], `local.${local}.${name}`).to.include(name);
  });

  it('sets on the planner jobs only env variables the planner reads', () => {
    const reads = appEnv('planner');
    for (const local of ['planner_env_fixed', 'planner_env_optional'])
      for (const name of literalKeys(mod, local)) expect([...reads], `local.${local}.${name}`).to.include(name);
  });

  it('names base URL and secret variables as the apps read them: <SERVICE>_API_BASE_URL, <VAR>_FILE', () => {
    // base_url_env: "${upper(s)}_API_BASE_URL" for service s.
    const template = /"\$\{upper\((\w+)\)\}(_[A-Z_]+)"/.exec(String(mod.locals.get('base_url_env')));
    expect(template, 'local.base_url_env builds its names from upper(service)').to.not.equal(null);
    expect(baseUrlVariable('shop')).to.equal(`SHOP${template![2]}`);
    // The secret files: "${v}_FILE" for each env variable v the auth names.
    expect(String(mod.locals.get('worker_env'))).to.include('"${v}_FILE"');
    const sources = sourcesOf(workspaceClosure('apps/worker')).join('\n');
    expect(sources, 'the source reads <VAR>_FILE').to.include('`${name}_FILE`');
    // The auth fields Terraform reads the variable names from are the config's.
    const authFields = new Set(AuthConfig.options.flatMap((o) => Object.keys(o.shape).filter((k) => /env$/i.test(k))));
    const used = [...String(mod.locals.get('service_secret_env')).matchAll(/c\.auth\.(\w+)/g)].map((m) => m[1]!);
    expect(used.length).to.be.greaterThan(0);
    expect([...authFields].sort()).to.deep.equal([...new Set(used)].sort());
  });

  it('passes the planner only flags it accepts, and the worker none', () => {
    const known = spellings(COMMON_FLAGS);
    const job = mod.resources.get('google_cloud_run_v2_job.planner');
    const container = block(block(block(job, 'template'), 'template'), 'containers');
    const flags = [...String(container.args).matchAll(/"--([\w-]+)"/g)].map((m) => m[1]!);
    expect(flags).to.include.members(['service', 'endpoint']);
    for (const flag of flags) expect([...known.keys()], `planner flag --${flag}`).to.include(flag);
    const worker = block(block(mod.resources.get('google_cloud_run_v2_service.worker'), 'template'), 'containers');
    expect(worker.args, 'worker args').to.equal(undefined);
  });

  it('creates the topics and subscriptions of docker/pubsub-topology.txt, with its names and delivery policy', () => {
    const compose = parseYaml(readRepo('docker-compose.yml')) as {
      services: { init: { environment: Record<string, string> } };
    };
    const init = compose.services.init.environment;
    const fill = { ...init };
    const lines = topology(fill);
    const topics = resourcesOf(mod, 'google_pubsub_topic').map(([, r]) => evaluate(mod, r.name));
    const subscriptions = new Map(
      resourcesOf(mod, 'google_pubsub_subscription').map(([, r]) => [String(evaluate(mod, r.name)), r]),
    );
    expect(topics.sort()).to.deep.equal(
      lines
        .filter((l) => l.path.startsWith('topics/'))
        .map((l) => l.path.slice(7))
        .sort(),
    );
    expect([...subscriptions.keys()].sort()).to.deep.equal(
      lines
        .filter((l) => l.path.startsWith('subscriptions/'))
        .map((l) => l.path.slice(14))
        .sort(),
    );
    for (const line of lines.filter((l) => l.path.startsWith('subscriptions/'))) {
      const name = line.path.slice(14);
      const sub = subscriptions.get(name)!;
      const topicOf = (path: unknown) => String(path).split('/').pop();
      expect(evaluate(mod, sub.topic), `${name}: topic`).to.equal(topicOf(line.body.topic));
      const push = line.body.pushConfig !== undefined;
      expect(sub.push_config !== undefined, `${name}: push config`).to.equal(push);
      if (push) {
        const oidc = block(block(sub, 'push_config'), 'oidc_token');
        expect(oidc.service_account_email, `${name}: OIDC token`).to.be.a('string');
        expect(evaluate(mod, sub.ack_deadline_seconds), `${name}: ack deadline`).to.equal(line.body.ackDeadlineSeconds);
        const retry = line.body.retryPolicy as Record<string, string>;
        expect(evaluate(mod, block(sub, 'retry_policy').minimum_backoff)).to.equal(retry.minimumBackoff);
        expect(evaluate(mod, block(sub, 'retry_policy').maximum_backoff)).to.equal(retry.maximumBackoff);
        const dead = line.body.deadLetterPolicy as Record<string, unknown>;
        const policy = block(sub, 'dead_letter_policy');
        expect(evaluate(mod, policy.dead_letter_topic)).to.equal(topicOf(dead.deadLetterTopic));
        expect(evaluate(mod, policy.max_delivery_attempts)).to.equal(dead.maxDeliveryAttempts);
      }
    }
    // The worker keeps the same numbers: its env follows the subscription's variables.
    const env = mod.locals.get('worker_env_fixed') as Record<string, string>;
    expect(env.RDC_ACK_DEADLINE_SECONDS).to.include('var.ack_deadline_seconds');
    expect(env.RDC_MAX_DELIVERY_ATTEMPTS).to.include('var.max_delivery_attempts');
    expect(evaluate(mod, (mod.locals.get('planner_env_fixed') as Record<string, string>).RDC_TOPIC)).to.equal(
      init.TOPIC,
    );
  });

  it('grants only roles the deploy guide justifies', () => {
    const guide = readRepo('docs/deploy.md');
    const justified = new Map<string, string>();
    for (const m of guide.matchAll(/^\|\s*`(roles\/[\w.]+)`\s*\|([^|\n]*)\|([^|\n]*)\|([^|\n]*)\|/gm))
      justified.set(m[1]!, m[4]!.trim());
    const granted = [...mod.resources]
      .filter(([key]) => /_iam_member\./.test(key))
      .map(([key, r]) => [key, String(r.role)] as const);
    expect(granted.length).to.be.greaterThan(5);
    for (const [key, role] of granted) {
      expect([...justified.keys()], `${key} grants ${role}`).to.include(role);
      expect(justified.get(role), `docs/deploy.md says why ${role}`).to.have.length.greaterThan(20);
    }
    // Never a project-wide grant.
    expect([...mod.resources.keys()].filter((k) => /project_iam/.test(k))).to.deep.equal([]);
  });

  it('alerts on log lines the apps write', () => {
    const files = ['apps/worker', 'packages/core'].flatMap((d) => sourcesOf(workspaceClosure(d)));
    const code = files.join('\n');
    // Paired file by file: a backtick inside a regex or a comment of one file shifts no other file's templates.
    const templates = files
      .flatMap((text) => [...text.matchAll(/`([^`]*)`/g)])
      .map((m) => m[1]!.replace(/\$\{[^}]*\}/g, 'retail.sales.20240701T000000Z-20240702T000000Z'));
    const metrics = resourcesOf(mod, 'google_logging_metric');
    expect(metrics.length).to.be.greaterThan(2);
    for (const [key, metric] of metrics) {
      const filter = String(metric.filter);
      for (const m of filter.matchAll(/jsonPayload\.message=~\\?"((?:[^"\\]|\\.)*?)\\?"/g)) {
        const pattern = new RegExp(m[1]!.replace(/\\"/g, '"'));
        expect(
          templates.some((t) => pattern.test(t)),
          `${key}: some message of the apps matches /${pattern.source}/`,
        ).to.equal(true);
      }
      for (const m of filter.matchAll(/jsonPayload\.(\w+):\*/g)) {
        expect(code, `${key}: the apps log a field ${m[1]}`).to.match(new RegExp(`\\b${m[1]}: `));
      }
    }
  });
});
