/** @module The `post` command: posts one task to a hive (running or not). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Json } from '../../../machines/types.js';
import { dataDirOption } from '../dataDirOption.js';
import { runHiveCommand } from '../runHiveCommand.js';
import { positiveInt } from '../optionValues.js';

function jsonValue(value: string): Json {
  try {
    return JSON.parse(value) as Json;
  } catch (err) {
    throw new InvalidArgumentError(`is not valid JSON (${(err as Error).message}).`);
  }
}

function priority(value: string): string | number {
  if (value === 'normal' || value === 'high' || value === 'critical') return value;
  if (/^\d+$/.test(value)) return Number(value);
  throw new InvalidArgumentError("must be 'normal', 'high', 'critical' or a number from 0 to 1000.");
}

const nonNegativeInt = (value: string): number => (value === '0' ? 0 : positiveInt(value));

/**
 * Registers `hivestate post <type> [--input JSON] [--id ID] [--priority P] [--depends-on IDS] ...`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'post', 'build', '--input', '{"target":"ui"}'])
 */
export function register(program: Command): void {
  program
    .command('post')
    .description('post a task; prints the task once it is durable')
    .argument('<type>', 'task type (agents with this capability run it)')
    .addOption(dataDirOption())
    .addOption(new Option('-i, --input <json>', 'task input as JSON').argParser(jsonValue))
    .option('--id <id>', 'task id (default: generated)')
    .addOption(new Option('-p, --priority <p>', "'normal', 'high', 'critical' or 0-1000").argParser(priority))
    .option('--depends-on <ids>', 'comma-separated ids of tasks that must complete first')
    .addOption(new Option('--max-retries <n>', 'failed attempts retried before the task fails').argParser(nonNegativeInt))
    .addOption(new Option('--timeout <ms>', 'abort an attempt running longer than this').argParser(positiveInt))
    .option('--verify', "run the hive's verifier for this type after it completes")
    .option('--idempotency-key <key>', 'posting again with the same key returns the existing task')
    .option('--owner <owner>', 'only this owner may cancel the task')
    .option('--phase <name>', 'the session phase it belongs to (hivestate report shows each phase)')
    .option('--json', 'print the task view as JSON')
    .addHelpText(
      'after',
      `
When a program holds the directory and opened it with createHive({ control: true }) (as
\`hivestate demo\` does), the task goes to it through its local control channel. On a directory no
program holds, the directory is opened intake-only: the task is journaled and nothing runs (it runs
when a program with a handler for the type next opens the directory).

Example: hivestate post build --input '{"target":"docs"}' --priority high --depends-on build:core`,
    )
    .action(
      async (
        type: string,
        o: {
          dataDir: string;
          input?: Json;
          id?: string;
          priority?: string | number;
          dependsOn?: string;
          maxRetries?: number;
          timeout?: number;
          verify?: boolean;
          idempotencyKey?: string;
          owner?: string;
          phase?: string;
          json?: boolean;
        },
      ) => {
        const task: { [k: string]: Json } = { type };
        if (o.input !== undefined) task.input = o.input;
        if (o.id !== undefined) task.id = o.id;
        if (o.priority !== undefined) task.priority = o.priority;
        if (o.dependsOn !== undefined)
          task.dependsOn = o.dependsOn
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
        if (o.maxRetries !== undefined) task.maxRetries = o.maxRetries;
        if (o.timeout !== undefined) task.timeoutMs = o.timeout;
        if (o.verify) task.verify = true;
        if (o.idempotencyKey !== undefined) task.idempotencyKey = o.idempotencyKey;
        if (o.owner !== undefined) task.owner = o.owner;
        if (o.phase !== undefined) task.phase = o.phase;
        const view = (await runHiveCommand(o.dataDir, { op: 'post', task })) as { id: string; status: string };
        process.stdout.write(o.json ? `${JSON.stringify(view)}\n` : `posted ${view.id} (${view.status})\n`);
      },
    );
}
