/**
 * @module options: the command-line options every benchmark shares, with full-size defaults and
 * the small ones `--quick` selects (a smoke test, not a measurement).
 */

/** Every numeric option: its default for a measurement and under --quick. */
export const sizes = {
  runs: { full: 3, quick: 1, help: 'runs per figure (medians are reported)' },
  tasks: { full: 100_000, quick: 2_000, help: 'tasks per throughput run and per raw XState lifecycle run' },
  agents: { full: 8, quick: 8, help: 'agents (hivestate) and workers (BullMQ), 4 slots each' },
  events: { full: 500_000, quick: 20_000, help: 'events into one task actor (xstate)' },
  samples: { full: 2_000, quick: 100, help: 'tasks timed one by one (latency)' },
  'live-tasks': { full: 100_000, quick: 5_000, help: 'live tasks to recover (recovery)' },
  'live-agents': { full: 1_000, quick: 50, help: 'agents to recover (recovery)' },
  'hosted-tasks': { full: 100_000, quick: 5_000, help: 'hosted live tasks whose heap is measured (heap)' },
  'rss-tasks': { full: 1_000_000, quick: 20_000, help: 'finished tasks before RSS is read (rss)' },
  'rss-prune-every': { full: 0, quick: 0, help: 'prune + compact every N completions (rss; 0: never)' },
  'colony-workers': { full: 1_000, quick: 200, help: 'workers one colony fans out and in (colony)' },
  'remote-tasks': { full: 20_000, quick: 2_000, help: 'tasks per remote throughput run (remote)' },
  'remote-slots': { full: 32, quick: 32, help: 'attempts at once per remote worker process, and per in-process agent (remote)' },
} as const;

export type SizeName = keyof typeof sizes;

/** The commit `--baseline` defaults to: the last landed kernel v1, "today's figure" of issue 8. */
export const defaultBaseline = '29dc4e9';

/** Options that take a string, and flags without a value. */
export const stringOptions = ['only', 'baseline'] as const;
export const flagOptions = ['quick'] as const;

const argv = process.argv.slice(2);
const argValue = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};

/** True when `--quick` was given. */
export const quick = argv.includes('--quick');

/**
 * A numeric option: `--name value` from argv, else its full or --quick default.
 * @example const tasks = numberArg('tasks') // 100000, or 2000 with --quick
 */
export function numberArg(name: SizeName): number {
  const given = argValue(name);
  if (given === undefined) return quick ? sizes[name].quick : sizes[name].full;
  const v = Number(given);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number >= 0; got ${JSON.stringify(given)}`);
  return v;
}

/**
 * A string option, or the fallback when absent.
 * @example stringArg('baseline', defaultBaseline) // '29dc4e9'
 */
export function stringArg(name: (typeof stringOptions)[number], fallback: string): string {
  const v = argValue(name);
  if (v === undefined) return fallback;
  if (v.startsWith('--')) throw new Error(`--${name} needs a value; got the option ${v}`);
  return v;
}

/**
 * Checks that every `--option` in argv is known and that those taking a value have one; returns
 * the problem as a sentence, or undefined.
 * @example checkArgs(['--tasks', 'x']) // undefined (the value is checked when read)
 */
export function checkArgs(args: string[]): string | undefined {
  const known = new Set<string>([...Object.keys(sizes), ...stringOptions, ...flagOptions]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) return `unexpected argument ${JSON.stringify(a)}`;
    const name = a.slice(2);
    if (!known.has(name)) return `unknown option ${a}; known: ${[...known].map((k) => `--${k}`).join(', ')}`;
    if ((flagOptions as readonly string[]).includes(name)) continue;
    if (args[i + 1] === undefined || args[i + 1]!.startsWith('--')) return `${a} needs a value`;
    i++;
  }
  return undefined;
}
