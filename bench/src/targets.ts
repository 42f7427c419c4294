import type { Figure, Target } from './report.js';

const pct = (v: number): string => `${Math.round(v * 100)}%`;

/**
 * One target over the figures `ids`. Not measured when one of them did not run;
 * a MISS, whatever the speed, when one of them landed incomplete output: a figure
 * counts only once its output is complete by ids.
 */
function target(text: string, figures: Figure[], ids: string[], judge: (found: Figure[]) => [string, boolean]): Target {
  const found = ids.map((id) => figures.find((f) => f.id === id));
  if (
    found.some((f) => f === undefined || f.skipped || f.error || (f.rate === undefined && f.peakRssMb === undefined))
  ) {
    return { text, value: 'not measured', met: undefined };
  }
  const incomplete = (found as Figure[]).filter((f) => !f.complete).map((f) => f.contender);
  if (incomplete.length > 0)
    return { text, value: `not counted: incomplete output (${incomplete.join(', ')})`, met: false };
  const [value, met] = judge(found as Figure[]);
  return { text, value, met };
}

/** `--help` of every app answers in well under a second: the slowest one under 1 s. */
function startupTarget(figures: Figure[]): Target {
  const text = 'Startup: every --help answers in < 1 s';
  const help = figures.filter((f) => f.id.startsWith('startup.help.') && !f.error && !f.skipped);
  if (help.length === 0) return { text, value: 'not measured', met: undefined };
  const slowest = help.reduce((a, b) => (b.count > a.count ? b : a));
  return { text, value: `slowest ${slowest.contender}: ${slowest.count} ms`, met: slowest.count < 1000 };
}

/** The issue's targets, checked against this run's figures. Benchmark figures, not tests. */
export function evaluateTargets(figures: Figure[]): Target[] {
  const s1 = (id: string, label: string): Target[] => [
    target(`S1 ${label} >= 90% of the bound`, figures, [id], ([f]) => [pct(f!.ratio ?? 0), (f!.ratio ?? 0) >= 0.9]),
    target(`S1 ${label} >= 10x the sequential baseline`, figures, [id, 's1.a'], ([f]) => [
      `${(f!.speedup ?? 0).toFixed(1)}x`,
      (f!.speedup ?? 0) >= 10,
    ]),
    target(`S1 ${label} loses no page to 429s`, figures, [id], ([f]) => [
      `${f!.http429 ?? 0} 429s answered, ${f!.completeness?.missing ?? 0} pages missing, ${f!.completeness?.deadLettered ?? 0} dead-lettered`,
      f!.complete,
    ]),
  ];
  const ran = figures.filter((f) => !f.skipped);
  const incomplete = ran.filter((f) => !f.complete || f.error);
  return [
    ...s1('s1.b', '(b) embedded'),
    ...s1('s1.c-push-load', '(c) push worker, load generator'),
    ...s1('s1.c-pull', '(c) Pub/Sub pull'),
    target('S2 (b) >= 80% of the minimal connector', figures, ['s2.b', 's2.minimal'], ([f]) => [
      pct(f!.ratio ?? 0),
      (f!.ratio ?? 0) >= 0.8,
    ]),
    target('S2 (b) >= 30% of the fetch-only client', figures, ['s2.b', 's2.ceiling'], ([f]) => [
      pct(f!.also?.ratio ?? 0),
      (f!.also?.ratio ?? 0) >= 0.3,
    ]),
    target('S3 planner >= 80% of the bare-loop ceiling', figures, ['s3.planner', 's3.ceiling'], ([f]) => [
      pct(f!.ratio ?? 0),
      (f!.ratio ?? 0) >= 0.8,
    ]),
    target('S3 planner peak RSS < 250 MB', figures, ['s3.planner'], ([f]) => [
      `${Math.round(f!.peakRssMb ?? 0)} MB`,
      (f!.peakRssMb ?? Infinity) < 250,
    ]),
    target('S4 planner >= 90% of the bare loop', figures, ['s4.planner', 's4.ceiling'], ([f]) => [
      pct(f!.ratio ?? 0),
      (f!.ratio ?? 0) >= 0.9,
    ]),
    target('S4 planner peak RSS < 200 MB', figures, ['s4.planner'], ([f]) => [
      `${Math.round(f!.peakRssMb ?? 0)} MB`,
      (f!.peakRssMb ?? Infinity) < 200,
    ]),
    target(
      'Memory: peak RSS at the large run <= 1.2x the small run',
      figures,
      ['memory.large', 'memory.small'],
      ([f]) => [`${(f!.ratio ?? 0).toFixed(2)}x`, (f!.ratio ?? Infinity) <= 1.2],
    ),
    startupTarget(figures),
    {
      text: "Every scenario's output complete by ids",
      value:
        incomplete.length === 0
          ? `${ran.length} contenders`
          : `incomplete: ${incomplete.map((f) => `${f.scenario} ${f.contender}`).join(', ')}`,
      met: ran.length > 0 ? incomplete.length === 0 : undefined,
    },
  ];
}
