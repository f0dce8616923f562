/**
 * @module The torture child: opens a hive, posts work continuously and records every acknowledged
 * call in side files, until the parent SIGKILLs it. With --drain it posts nothing and exits once
 * every task is terminal.
 * With --remote <natsUrl> the hive runs no handlers: remote workers take its agents' attempts.
 * Usage: node --import tsx scripts/torture/child.ts <dataDir> <sideDir> <seed> <cycle> [--drain] [--remote <natsUrl>]
 */
import { createHive, isHiveError, type Hive, type TaskView } from '../../src/index.js';
import { hash, prng } from './prng.js';
import { append } from './sideFiles.js';
import { tortureWork } from './work.js';

const [dataDir, sideDir, seedArg, cycleArg, ...flags] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const seed = Number(seedArg);
const cycle = Number(cycleArg);
const drain = flags.includes('--drain');
const natsUrl = flags.includes('--remote') ? flags[flags.indexOf('--remote') + 1] : undefined;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const terminal = new Set(['completed', 'verified', 'failed', 'timed_out', 'rejected', 'cancelled']);

// Attempts re-dispatched during createHive() start before `hive` is assigned: wait for it.
let opened!: (h: Hive) => void;
const hiveReady = new Promise<Hive>((resolve) => (opened = resolve));

/** Every dependency of a starting attempt must have completed. */
const checkDependencies = async (task: TaskView) => {
  const hive = await hiveReady;
  for (const dep of task.dependsOn) {
    const status = (await hive.getTask(dep)).status;
    if (status !== 'completed' && status !== 'verified') append(sideDir, 'violations', { kind: 'dependency-order', taskId: task.id, dep, status });
  }
};
const work = tortureWork({ sideDir, seed, cycle, checkDependencies });

const hive = await createHive({
  dataDir,
  // Remote: the handlers run in worker processes (scripts/torture/remoteWorker.ts).
  ...(natsUrl ? { nats: { servers: natsUrl, workerTimeoutMs: 1000 } } : { handlers: { step: work, check: work } }),
  // The first verification of some tasks fails, so verification retries happen too.
  verifiers: { check: (t) => !((hash(t.id) % 4 === 0) && (t.output as { attempt: number }).attempt === 1) },
  checkpoint: { everyInputs: 100, everyMs: 30 },
});
opened(hive);

for (const t of await hive.listTasks({ status: 'retrying', limit: 1_000_000 })) append(sideDir, 'resumed', { taskId: t.id, attempts: t.attempts, cycle });
hive.on('*', (e) => {
  const status = e.type.slice('task.'.length);
  if (e.type.startsWith('task.') && terminal.has(status)) append(sideDir, 'terminal', { taskId: e.taskId, status, seq: e.seq, cycle });
});
if (natsUrl) {
  // Attempts start on the workers; the hive checks the dependencies when it dispatches one.
  hive.on('task.started', (e) => void hive.getTask(String(e.taskId)).then(checkDependencies).catch(() => undefined));
}
for (const id of natsUrl ? [] : ['worker-1', 'worker-2', 'worker-3']) {
  await hive.getAgent(id).catch(async (err: unknown) => {
    if (!isHiveError(err, 'not_found')) throw err;
    await hive.spawnAgent({ id, name: id, capabilities: ['step', 'check'], maxConcurrent: 3, failureThreshold: 1000 });
  });
}
process.stdout.write('ready\n');

if (drain) {
  for (;;) {
    const s = await hive.status();
    const open = ['pending', 'assigned', 'running', 'verifying', 'retrying'].reduce((n, k) => n + ((s.tasks as Record<string, number>)[k] ?? 0), 0);
    if (open === 0) break;
    await sleep(20);
  }
  await hive.close();
  process.exit(0);
}

const r = prng(hash(seed, 'plan', cycle));
const ackedIds: string[] = [];
for (let i = 0; ; i++) {
  const chain = 1 + Math.floor(r() * 3);
  const specs = Array.from({ length: chain }, (_, j) => {
    const id = `c${cycle}-g${i}-t${j}`;
    const timeout = r() < 0.15;
    return {
      id,
      type: r() < 0.3 ? 'check' : 'step',
      input: { i, j },
      dependsOn: j > 0 ? [`c${cycle}-g${i}-t${j - 1}`] : [],
      maxRetries: Math.floor(r() * 4),
      backoffMs: 5 + Math.floor(r() * 40),
      ...(timeout ? { timeoutMs: 25 } : {}),
    };
  });
  for (const s of specs) if (s.type === 'check') Object.assign(s, { verify: true });
  const posted = r() < 0.5 ? await hive.postTasks(specs) : await Promise.all(specs.map((s) => hive.postTask(s)));
  for (const t of posted) {
    append(sideDir, 'acked', { id: t.id, maxRetries: t.maxRetries });
    ackedIds.push(t.id);
  }
  if (r() < 0.1 && ackedIds.length > 0) {
    const victim = ackedIds[Math.floor(r() * ackedIds.length)]!;
    await hive.cancelTask(victim).then(
      () => append(sideDir, 'cancelled', { id: victim }),
      (err: unknown) => {
        if (!isHiveError(err, 'already_finished')) throw err;
      },
    );
  }
  if (i % 10 === 9) await sleep(5);
}
