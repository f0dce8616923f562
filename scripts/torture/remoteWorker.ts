/**
 * @module A torture worker process (remote mode): runs agent <id> for the hive over NATS with the
 * torture handler, until the parent SIGKILLs it (or SIGTERMs it at the end).
 * Usage: node --import tsx scripts/torture/remoteWorker.ts <natsUrl> <agentId> <sideDir> <seed>
 */
import { pino } from 'pino';
import { runWorker } from '../../src/index.js';
import { tortureWork } from './work.js';
import { exitWithParent } from '../exitWithParent.js';

const [url, id, sideDir, seedArg] = process.argv.slice(2) as [string, string, string, string];
const work = tortureWork({ sideDir, seed: Number(seedArg), cycle: -1 });
const worker = await runWorker({
  servers: url,
  agent: { id, name: id, capabilities: ['step', 'check'], maxConcurrent: 3, failureThreshold: 1000 },
  handlers: { step: work, check: work },
  logger: pino({ level: 'error' }),
  closeTimeoutMs: 1000,
});
exitWithParent();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
