/**
 * @module The torture child: opens a hive, posts work continuously and records every acknowledged
 * call in side files, until the parent SIGKILLs it. With --drain it posts nothing and exits once
 * every task is terminal. With --fault=<kind>@<ms> it makes the store fail that long after 'ready'
 * (`append`/`checkpoint` through the faults hook, `eio` by creating the sync-failure shim's marker);
 * once a call is refused by the store it prints 'faulted', closes the hive, prints 'closed <ms>' and exits.
 * With --remote <natsUrl> the hive runs no handlers: remote workers take its agents' attempts.
 * Usage: node --import tsx scripts/torture/child.ts <dataDir> <sideDir> <seed> <cycle> [--drain] [--fault=<kind>@<ms>] [--remote <natsUrl>]
 */
import { writeFileSync } from 'node:fs';
import { createHive, isHiveError, type Hive, type StoreError, type TaskView } from '../../src/index.js';
import type { StoreFaults } from '../../src/store/HiveStore.js';
import { syncFailMarkerEnv } from '../faults/buildSyncFailShim.js';
import { hash, prng } from './prng.js';
import { append } from './sideFiles.js';
import { tortureWork } from './work.js';

const [dataDir, sideDir, seedArg, cycleArg] = process.argv.slice(2) as [string, string, string, string];
const seed = Number(seedArg);
const cycle = Number(cycleArg);
const drain = process.argv.includes('--drain');
const natsUrl = process.argv.includes('--remote') ? process.argv[process.argv.indexOf('--remote') + 1] : undefined;
const [faultKind, faultAt] = (process.argv.find((a) => a.startsWith('--fault='))?.slice('--fault='.length) ?? '').split('@') as [string, string?];

// Never a crash: an unhandled rejection is a violation the checker reports.
process.on('unhandledRejection', (reason) => {
  append(sideDir, 'violations', { kind: 'unhandled-rejection', cycle, detail: String(reason) });
  process.stderr.write(`torture child ${cycle}: unhandled rejection: ${String(reason)}\n`);
});

let armed = false;
const injected = () => {
  if (!armed) return undefined;
  armed = false;
  return Object.assign(new Error(`EIO: i/o error (injected by torture in cycle ${cycle})`), { code: 'EIO' });
};
const faults: StoreFaults = faultKind === 'append' ? { failAppend: injected } : faultKind === 'checkpoint' ? { failCheckpoint: injected } : {};

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
  verifiers: { check: (t) => !(hash(t.id) % 4 === 0 && (t.output as { attempt: number }).attempt === 1) },
  checkpoint: { everyInputs: 100, everyMs: 30 },
  faults,
});
opened(hive);

for (const t of await hive.listTasks({ status: 'retrying', limit: 1_000_000 })) append(sideDir, 'resumed', { taskId: t.id, attempts: t.attempts, cycle });
hive.on('*', (e) => {
  const status = e.type.slice('task.'.length);
  if (e.type.startsWith('task.') && terminal.has(status)) append(sideDir, 'terminal', { taskId: e.taskId, status, seq: e.seq, cycle });
});
if (natsUrl) {
  // Attempts start on the workers; the hive checks the dependencies when it dispatches one.
  hive.on(
    'task.started',
    (e) =>
      void hive
        .getTask(String(e.taskId))
        .then(checkDependencies)
        .catch(() => undefined),
  );
}
for (const id of natsUrl ? [] : ['worker-1', 'worker-2', 'worker-3']) {
  await hive.getAgent(id).catch(async (err: unknown) => {
    if (!isHiveError(err, 'not_found')) throw err;
    await hive.spawnAgent({ id, name: id, capabilities: ['step', 'check'], maxConcurrent: 3, failureThreshold: 1000 });
  });
}
process.stdout.write('ready\n');
if (faultKind) {
  setTimeout(() => {
    if (faultKind === 'eio') writeFileSync(process.env[syncFailMarkerEnv]!, '');
    else armed = true;
  }, Number(faultAt));
}

/** After the store refused a call: close (it must return) and exit. */
async function stopAfterStoreFailure(): Promise<never> {
  process.stdout.write('faulted\n');
  const t0 = performance.now();
  await hive.close();
  process.stdout.write(`closed ${Math.round(performance.now() - t0)}\n`);
  process.exit(0);
}

if (drain) {
  for (;;) {
    const s = await hive.status();
    const open = ['pending', 'assigned', 'running', 'verifying', 'retrying', 'suspended'].reduce(
      (n, k) => n + ((s.tasks as Record<string, number>)[k] ?? 0),
      0,
    );
    if (open === 0) break;
    await sleep(20);
  }
  await hive.close();
  process.exit(0);
}

const r = prng(hash(seed, 'plan', cycle));
const ackedIds: string[] = [];
for (let i = 0; ; i++) {
  try {
    await postSome(i);
  } catch (err) {
    if (faultKind && isHiveError(err, 'store_failure')) await stopAfterStoreFailure();
    throw err;
  }
}

async function postSome(i: number): Promise<void> {
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
  const settled =
    r() < 0.5
      ? await hive.postTasks(specs).then(
          (ts) => ts.map((value) => ({ value })),
          (reason: unknown) => specs.map(() => ({ reason })),
        )
      : await Promise.allSettled(specs.map((s) => hive.postTask(s)));
  let refused: unknown;
  settled.forEach((x, j) => {
    if ('value' in x && x.value) {
      append(sideDir, 'acked', { id: x.value.id, maxRetries: x.value.maxRetries });
      ackedIds.push(x.value.id);
    } else if ('reason' in x) {
      refused ??= x.reason;
      // What the caller was told: the checker holds the hive to it.
      if (isHiveError(x.reason, 'store_failure'))
        append(sideDir, 'refused', { id: specs[j]!.id, mayHaveBeenRecorded: (x.reason as StoreError).mayHaveBeenRecorded });
    }
  });
  if (refused !== undefined) throw refused;
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
