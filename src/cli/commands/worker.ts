/** @module The `worker` command: runs a remote worker (one agent) against a hive over NATS JetStream. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { positiveInt } from '../optionValues.js';
import { pino } from 'pino';
import { ValidationError } from '../../errors.js';
import { runWorker } from '../../remote/runWorker.js';

/** Reads a handlers module: `export const handlers = { type: fn }` (or a default export of that object), and optionally `export const verifiers` and `export const bid`. */
async function loadHandlers(path: string): Promise<{ handlers: Record<string, never>; verifiers?: Record<string, never>; bid?: never }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ValidationError('--handlers', `cannot load ${path}: ${(err as Error).message}`);
  }
  const handlers = (mod.handlers ?? mod.default) as Record<string, never> | undefined;
  if (typeof handlers !== 'object' || handlers === null)
    throw new ValidationError('--handlers', `${path} must export \`handlers\` (or a default export): an object of handler functions by task type`);
  return {
    handlers,
    ...(mod.verifiers !== undefined ? { verifiers: mod.verifiers as Record<string, never> } : {}),
    // Checked by runWorker: a `bid` that is not a function is refused there with what is allowed.
    ...(mod.bid !== undefined ? { bid: mod.bid as never } : {}),
  };
}

/**
 * Registers `hivestate worker --nats URL --id ID --capabilities a,b --handlers ./handlers.js`; runs until interrupted.
 * @example register(program); await program.parseAsync(['worker', '--nats', 'nats://127.0.0.1:4222', '--id', 'w1', '--capabilities', 'build', '--handlers', './h.js'], { from: 'user' })
 */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run one agent on this machine for a hive reached through NATS JetStream')
    .requiredOption('--nats <url>', "NATS server URL(s), comma-separated (the hive's nats.servers)")
    .requiredOption('--id <id>', 'agent id; a restarted worker with the same id rejoins as the same agent')
    .requiredOption('--capabilities <types>', 'task types this agent takes, comma-separated')
    .requiredOption(
      '--handlers <module>',
      'a module exporting `handlers` (or a default export): functions by task type, and optionally `verifiers` and `bid` (its auction price)',
    )
    .option('--name <name>', 'agent name (default: the id)')
    .addOption(new Option('--max-concurrent <n>', 'attempts run at once').default(1).argParser(positiveInt))
    .option('--prefix <prefix>', "the hive's nats.prefix", 'hivestate')
    .option('--host <host>', "host name shown by `hivestate agents` and the inspector (default: this machine's)")
    .addOption(
      new Option('--close-timeout <ms>', 'on Ctrl-C or SIGTERM, how long running attempts may finish before they are handed back')
        .default(30_000)
        .argParser(positiveInt),
    )
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .addHelpText(
      'after',
      `
The agent registers with the hive (the process that opened its data directory with
createHive({ nats: { servers } })) and then is an agent like any other: listed by \`hivestate
agents\` with its host, chosen by the same assignment rule, paused, resumed and stopped the same way.
Its attempts arrive through the JetStream stream <prefix>_work (subject <prefix>.work.<id>); progress,
checkpoints and outcomes go back to the hive, which journals them. A worker that stops (kill -9,
network loss) is marked lost after the hive's workerTimeoutMs; its attempts run elsewhere from their
last checkpoint. Ctrl-C or SIGTERM lets running attempts finish, hands the rest back and exits 0.

Example: hivestate worker --nats nats://127.0.0.1:4222 --id w1 --capabilities build,test --handlers ./handlers.js
`,
    )
    .action(
      async (o: {
        nats: string;
        id: string;
        capabilities: string;
        handlers: string;
        name?: string;
        maxConcurrent: number;
        prefix: string;
        host?: string;
        closeTimeout: number;
        logLevel: string;
      }) => {
        const { handlers, verifiers, bid } = await loadHandlers(o.handlers);
        const worker = await runWorker({
          servers: o.nats.split(',').map((s) => s.trim()),
          prefix: o.prefix,
          agent: {
            id: o.id,
            ...(o.name !== undefined ? { name: o.name } : {}),
            capabilities: o.capabilities.split(',').map((s) => s.trim()),
            maxConcurrent: o.maxConcurrent,
          },
          handlers,
          ...(verifiers !== undefined ? { verifiers } : {}),
          ...(bid !== undefined ? { bid } : {}),
          ...(o.host !== undefined ? { host: o.host } : {}),
          closeTimeoutMs: o.closeTimeout,
          logger: pino({ level: o.logLevel }, pino.destination(2)),
        });
        process.stdout.write(`worker ${o.id} joined the hive (${o.capabilities}, up to ${o.maxConcurrent} at once); Ctrl-C stops it\n`);
        const stop = () => void worker.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        await worker.stopped;
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.stdout.write(`worker ${o.id} left\n`);
      },
    );
}
