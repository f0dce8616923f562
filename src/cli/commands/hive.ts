/** @module The `hive` command: keeps a hive open on a data directory, with remote workers over NATS, until interrupted. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { pino } from 'pino';
import { createHive } from '../../createHive.js';
import { dataDirOption } from '../dataDirOption.js';

function millis(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 200) throw new InvalidArgumentError('must be a whole number of milliseconds, at least 200.');
  return n;
}

/**
 * Registers `hivestate hive --nats URL [--data-dir D] [--prefix P] [--worker-timeout MS]`.
 * @example register(program); await program.parseAsync(['hive', '--nats', 'nats://127.0.0.1:4222'], { from: 'user' })
 */
export function register(program: Command): void {
  program
    .command('hive')
    .description('run a hive whose agents are remote workers (`hivestate worker`) reached through NATS JetStream')
    .addOption(dataDirOption())
    .requiredOption('--nats <url>', 'NATS server URL(s), comma-separated; the server must run JetStream (nats-server -js)')
    .option('--prefix <prefix>', 'names the NATS subjects and stream; one hive per prefix', 'hivestate')
    .addOption(
      new Option('--worker-timeout <ms>', 'a worker not heard from for this long is lost: its agent goes to error, its attempts run elsewhere')
        .default(10_000)
        .argParser(millis),
    )
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .addHelpText(
      'after',
      `
Opens (or recovers) the hive in --data-dir and keeps it open until Ctrl-C or SIGTERM. Workers
started with \`hivestate worker --nats URL --id ID ...\` register their agents with it; \`hivestate
post\` and \`cancel\` reach it through its control socket; \`status\`, \`agents\`, \`tasks\` and
\`dashboard\` read the directory while it runs. Killed (even kill -9) and started again, it keeps
the attempts its live workers are running and re-dispatches the others.

Example: hivestate hive --nats nats://127.0.0.1:4222 --data-dir ./.hivestate
`,
    )
    .action(async (o: { dataDir: string; nats: string; prefix: string; workerTimeout: number; logLevel: string }) => {
      const hive = await createHive({
        dataDir: o.dataDir,
        logger: pino({ level: o.logLevel }, pino.destination(2)),
        nats: { servers: o.nats.split(',').map((s) => s.trim()), prefix: o.prefix, workerTimeoutMs: o.workerTimeout },
        control: true,
      });
      process.stdout.write(
        `hive on ${o.dataDir}: remote workers through ${o.nats} (prefix ${o.prefix}); post tasks with \`hivestate post\`; Ctrl-C stops it\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await hive.close();
      process.stdout.write('hive closed\n');
    });
}
