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

/** A figure that could not be measured in this run, and why (a missing redis-server, git or ref). */
export interface Skipped {
  bench: string;
  figure: string;
  skipped: string;
}

export type Row = Figure | Skipped;

/** Set by run.ts: benchmarks then hand their rows up as `@row {json}` lines and run.ts prints one table. */
export const collectEnv = 'HIVESTATE_BENCH_COLLECT';
export const rowPrefix = '@row ';
/** The line a single throughput run (throughputRun.ts) prints its result on. */
export const resultPrefix = '@result ';

const isSkipped = (r: Row): r is Skipped => 'skipped' in r;
const met = (f: Figure) => (f.target === undefined ? '' : (f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value) ? 'met' : 'MISSED');
const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(Math.abs(v) >= 10 ? 1 : 3));

/**
 * Prints rows as a table (figure, value, target, met or MISSED, the runs) and then one JSON line
 * each; under run.ts hands them up instead, so a whole `npm run bench` ends in one table.
 * @example report([{ bench: 'xstate', figure: 'events/s', value: 1e6, unit: 'events/s' }])
 */
export function report(rows: Row[]): void {
  if (process.env[collectEnv] === '1') {
    for (const r of rows) console.log(rowPrefix + JSON.stringify(r));
    return;
  }
  printTable(rows);
}

/** The table and the JSON lines, for rows from one or several benchmarks. */
export function printTable(rows: Row[]): void {
  const cells = rows.map((r) =>
    isSkipped(r)
      ? { figure: `${r.bench}: ${r.figure}`, value: `skipped (${r.skipped})`, target: '', result: '', runs: '', note: '' }
      : {
          figure: `${r.bench}: ${r.figure}`,
          value: `${fmt(r.value)} ${r.unit}`,
          target: r.target ? `${r.target.op} ${fmt(r.target.value)}` : '',
          result: met(r),
          runs: r.runs ? r.runs.map(fmt).join(' / ') : '',
          note: r.note ?? '',
        },
  );
  const cols = ['figure', 'value', 'target', 'result', 'runs', 'note'] as const;
  const w = cols.map((c) => Math.max(c.length, ...cells.map((r) => r[c].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(cols.map((c) => c.toUpperCase())));
  for (const r of cells) console.log(line(cols.map((c) => r[c])));
  for (const r of rows) {
    if (isSkipped(r)) {
      console.log(JSON.stringify(r));
      continue;
    }
    const out: Record<string, unknown> = { bench: r.bench, figure: r.figure, value: Number(r.value.toFixed(4)), unit: r.unit };
    if (r.target) {
      out.target = `${r.target.op}${r.target.value}`;
      out.met = met(r) === 'met';
    }
    if (r.runs) out.runs = r.runs.map((x) => Number(x.toFixed(4)));
    if (r.note) out.note = r.note;
    console.log(JSON.stringify(out));
  }
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
