/**
 * @module A remote worker process for the `remote` benchmark: one agent with a no-op handler or
 * one that sleeps 50 ms (an I/O-bound agent). Prints 'ready' once registered.
 * Usage: node --import tsx scripts/bench/remoteWorkerProcess.ts <natsUrl> <prefix> <agentId> <noop|sleep50> <slots>
 */
import { pino } from 'pino';
import { runWorker } from '../../src/index.js';
import { exitWithParent } from '../exitWithParent.js';

const [url, prefix, id, kind, slots] = process.argv.slice(2) as [string, string, string, string, string];
const handler = kind === 'sleep50' ? () => new Promise<null>((r) => setTimeout(() => r(null), 50)) : async () => null;
const worker = await runWorker({
  servers: url,
  prefix,
  agent: { id, capabilities: [kind], maxConcurrent: Number(slots) },
  handlers: { [kind]: handler },
  logger: pino({ level: 'error' }),
});
exitWithParent();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
