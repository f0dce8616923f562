/** @module The `demo` command: runs (or resumes) the build-orchestration swarm with a live dashboard. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeDemoResult, runDemo } from '../../demo/runDemo.js';
import { dataDirOption } from '../dataDirOption.js';

function speed(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) throw new InvalidArgumentError('must be a number above 0 and at most 1000 (2 runs twice as fast).');
  return n;
}

/**
 * Registers `hivestate demo [--data-dir D] [--speed X]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'demo', '--speed', '4'])
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run a build-orchestration swarm on embedded LMDB with a live dashboard')
    .addOption(dataDirOption())
    .addOption(new Option('-x, --speed <x>', 'speed factor for the simulated work').default(1).argParser(speed))
    .option('--fresh', 'start over: delete the demo data in --data-dir first (only if it is a hive directory)')
    .addHelpText(
      'after',
      `
A lead, a planner, download, build, encrypt and UI agents, testers and a quality gate work through
a phased build (about 30 tasks with dependencies and priorities; some attempts fail and are retried,
tests and gates are verified). At speed 1 it takes about a minute.

Ctrl-C (or a kill, even kill -9) stops it; the same command on the same --data-dir resumes where it
stopped and finishes (the elapsed time counts only while it runs). --fresh starts over instead: it
deletes the hive files in --data-dir first, and refuses a directory that holds anything else. While it runs, other terminals can use \`hivestate dashboard\`, \`status\`,
\`tasks\`, \`post\` and \`cancel\` on the same directory. When stdout is not a terminal it prints
plain progress lines instead of the dashboard. Exit status: 0 when finished, 130 after Ctrl-C,
143 after SIGTERM.
`,
    )
    .action(async (o: { dataDir: string; speed: number; fresh?: boolean }) => {
      const controller = new AbortController();
      let exitCode = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) process.exit(exitCode); // a second Ctrl-C: do not wait any longer
        exitCode = signal === 'SIGINT' ? 130 : 143;
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runDemo({ dataDir: o.dataDir, speed: o.speed, signal: controller.signal, fresh: o.fresh === true });
        (result.stopped ? process.stderr : process.stdout).write(`${describeDemoResult(result)}\n`);
        process.exitCode = result.stopped ? exitCode || 130 : 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
