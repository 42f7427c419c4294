import type { Figure } from './report.js';

const W = 900;
const H = 480;
const M = { left: 64, right: 270, top: 56, bottom: 52 };
const COLORS: Record<string, string> = {
  's1.a': '#7f7f7f',
  's1.b': '#1f77b4',
  's1.c-push': '#d62728',
  's1.c-pull': '#2ca02c',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (v: number): string => v.toFixed(1);

/** 1, 2 or 5 times a power of ten, so that about `count` ticks span `max`. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

/**
 * The S1 timeline as an SVG line chart: pages landed against seconds since each
 * contender's first page, one line per contender, and the bound as a dashed line.
 */
export function renderS1Chart(figures: Figure[], bound: number, subtitle: string): string {
  const lines = figures.filter((f) => f.scenario === 'S1' && (f.timeline?.length ?? 0) > 0);
  const maxT = Math.max(1, ...lines.map((f) => f.timeline?.at(-1)?.[0] ?? 0));
  const maxY = Math.max(1, ...lines.map((f) => f.timeline?.at(-1)?.[1] ?? 0));
  const xStep = tickStep(maxT, 8);
  const yStep = tickStep(maxY, 6);
  const xMax = Math.ceil(maxT / xStep) * xStep;
  const yMax = Math.ceil(maxY / yStep) * yStep;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (t: number): string => f1(M.left + (t / xMax) * pw);
  const y = (p: number): string => f1(M.top + ph - (p / yMax) * ph);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="22" font-size="16" font-weight="bold">S1: pages landed over time</text>`,
    `<text x="${M.left}" y="40" fill="#555">${esc(subtitle)}</text>`,
  ];
  for (let t = 0; t <= xMax + 1e-9; t += xStep) {
    out.push(`<line x1="${x(t)}" y1="${M.top}" x2="${x(t)}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(t)}" y="${M.top + ph + 16}" text-anchor="middle">${+t.toFixed(2)}</text>`);
  }
  for (let p = 0; p <= yMax + 1e-9; p += yStep) {
    out.push(`<line x1="${M.left}" y1="${y(p)}" x2="${M.left + pw}" y2="${y(p)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${f1(Number(y(p)) + 4)}" text-anchor="end">${p}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  out.push(
    `<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">seconds since the contender's first page landed</text>`,
  );
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">pages landed</text>`);
  const legend: [string, string, boolean][] = [[`bound: ${bound} pages/s`, '#000', true]];
  for (const f of lines) {
    const color = COLORS[f.id] ?? '#9467bd';
    const points = (f.timeline ?? []).map(([t, p]) => `${x(t)},${y(p)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`);
    legend.push([`${f.contender}: ${(f.rate ?? 0).toFixed(1)} pages/s`, color, false]);
  }
  // The bound goes on top, so a contender running right on it does not hide it.
  const end = Math.min(xMax, yMax / bound);
  out.push(
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(end)}" y2="${y(bound * end)}" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  legend.forEach(([label, color, dashed], i) => {
    const ly = M.top + 10 + i * 22;
    const lx = M.left + pw + 16;
    const dash = dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
