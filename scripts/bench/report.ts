/** @module report: medians, percentiles and the output format every benchmark shares (a table, then one JSON line per figure). */

export interface Figure {
  bench: string;
  figure: string;
  value: number;
  unit: string;
  /** The target from the issue, when there is one. */
  target?: { op: '>=' | '<='; value: number };
  runs?: number[];
  note?: string;
}

/**
 * Median of a list of numbers.
 * @example median([3, 1, 2]) // 2
 */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The p-th percentile (0-100, nearest rank) of a list.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const met = (f: Figure) => (f.target === undefined ? '' : (f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value) ? 'met' : 'MISSED');
const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(Math.abs(v) >= 10 ? 1 : 3));

/**
 * Prints the figures as a table and then one JSON line each.
 * @example report([{ bench: 'xstate', figure: 'events/s', value: 1e6, unit: 'events/s' }])
 */
export function report(figures: Figure[]): void {
  const rows = figures.map((f) => ({
    figure: `${f.bench}: ${f.figure}`,
    value: `${fmt(f.value)} ${f.unit}`,
    target: f.target ? `${f.target.op} ${fmt(f.target.value)}` : '',
    result: met(f),
    runs: f.runs ? f.runs.map(fmt).join(' / ') : '',
  }));
  const cols = ['figure', 'value', 'target', 'result', 'runs'] as const;
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(w[i]!)).join('  ').trimEnd();
  console.log(line(cols.map((c) => c.toUpperCase())));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
  for (const f of figures) {
    const out: Record<string, unknown> = { bench: f.bench, figure: f.figure, value: Number(f.value.toFixed(4)), unit: f.unit };
    if (f.target) out.target = `${f.target.op}${f.target.value}`, (out.met = met(f) === 'met');
    if (f.runs) out.runs = f.runs.map((r) => Number(r.toFixed(4)));
    if (f.note) out.note = f.note;
    console.log(JSON.stringify(out));
  }
}

/** Reads `--name value` from argv as a number, with a default. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

/** Runs `fn` `runs` times (after `gc` when exposed) and returns the results. */
export async function repeat<T>(runs: number, fn: (i: number) => Promise<T> | T): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    out.push(await fn(i));
  }
  return out;
}
