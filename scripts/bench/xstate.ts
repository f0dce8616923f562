/**
 * @module Benchmark: raw XState, the baseline. Events per second into the task machine alone, and
 * task lifecycles (create + start + assign + start + succeed) per second. Medians of --runs runs.
 * Usage: npx tsx scripts/bench/xstate.ts [--events N] [--tasks N] [--runs R]
 */
import { xstateEventsPerSecond, xstateLifecyclesPerSecond } from './rawXstate.js';
import { numberArg } from './options.js';
import { median, repeat, report } from './report.js';

const runs = numberArg('runs');
const events = numberArg('events');
const tasks = numberArg('tasks');
xstateLifecyclesPerSecond(5_000); // warm up the JIT
const ev = await repeat(runs, () => xstateEventsPerSecond(events));
const lc = await repeat(runs, () => xstateLifecyclesPerSecond(tasks));
report([
  { bench: 'xstate', figure: 'task machine events/s', value: median(ev), unit: 'events/s', runs: ev },
  { bench: 'xstate', figure: 'create+start+lifecycle/s', value: median(lc), unit: 'tasks/s', runs: lc },
]);
