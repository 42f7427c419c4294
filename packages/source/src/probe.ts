import { type Draft, draftConfig } from './probe-draft.js';
import type { ProbeAuth } from './probe-auth.js';
import { fetchFirstPage } from './probe-fetch.js';
import { formatReport } from './probe-report.js';
import { redactUrl, scrubSecrets } from './redact.js';

export interface ProbeOptions {
  /** The first page's URL, window and page-size parameters included. */
  url: URL;
  auth: ProbeAuth;
  service?: string | undefined;
  endpoint?: string | undefined;
  /** The file the draft will be written to, for the report. */
  out?: string | undefined;
  env: NodeJS.ProcessEnv;
}

export interface ProbeOutcome {
  draft: Draft;
  /** The readable report, secrets scrubbed. */
  report: string;
  /** The draft config as JSON text, secrets scrubbed. */
  json: string;
}

/** `probe`: fetches one page (read-only) and drafts the endpoint's config from it. */
export async function probeEndpoint(options: ProbeOptions): Promise<ProbeOutcome> {
  const page = await fetchFirstPage(options.url, options.auth.auth, options.env);
  const draft = draftConfig({
    url: options.url,
    headers: page.headers,
    body: page.body,
    auth: options.auth.draft,
    service: options.service,
    endpoint: options.endpoint,
  });
  const scrub = (text: string) => scrubSecrets(text, page.secrets);
  return {
    draft,
    report: scrub(formatReport(draft, redactUrl(options.url), page.status, { out: options.out })),
    json: scrub(`${JSON.stringify(draft.config, null, 2)}\n`),
  };
}
