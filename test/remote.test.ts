import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../scripts/natsServer.js';
import { maxErrorMessage } from '../src/effects/describeThrown.js';
import { actorTree } from '../src/inspect/actorTree.js';
import { AttemptSupersededError, isHiveError, openReplay, runWorker, WorkerRefusedError, type Handler, type Hive, type RemoteWorker } from '../src/index.js';
import { runCli, startCli } from './cliRunner.js';
import { startFixtureWorker } from './fixtureWorker.js';
import { gate, memoryLogger, nextEvent, openHive, sleep, tempDir, until } from './helpers.js';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

const workers: RemoteWorker[] = [];
let prefixes = 0;
/** Each test gets its own prefix (subjects and stream), so tests never see each other's work. */
async function remoteHive(options: Parameters<typeof openHive>[0] = {}): Promise<{ hive: Hive; prefix: string }> {
  const prefix = `t${process.pid}-${++prefixes}`;
  const hive = await openHive({ nats: { servers: nats.url, prefix, workerTimeoutMs: 2000 }, ...options });
  return { hive, prefix };
}
async function worker(
  prefix: string,
  id: string,
  handlers: Record<string, Handler>,
  extra: Partial<Parameters<typeof runWorker>[0]> = {},
): Promise<RemoteWorker> {
  const w = await runWorker({
    servers: nats.url,
    prefix,
    agent: { id, capabilities: Object.keys(handlers), maxConcurrent: 4 },
    handlers,
    logger: memoryLogger().logger,
    closeTimeoutMs: 200,
    ...extra,
  });
  workers.push(w);
  return w;
}
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
});

const startWorkerProcess = (o: { prefix: string; id: string }) => startFixtureWorker({ natsUrl: nats.url, prefix: o.prefix, id: o.id, maxConcurrent: 2 });

describe('remote workers over NATS JetStream', () => {
  it('a worker registers its agent, which is listed as remote with its host and runs tasks with progress and journaled checkpoints', async () => {
    const { hive, prefix } = await remoteHive();
    const checkpointed: number[] = [];
    await worker(prefix, 'w1', {
      build: async (task, ctx) => {
        await ctx.progress(40, 'compiling');
        await ctx.checkpoint({ step: 1 });
        // Acknowledged only after the hive journaled it: the hive already shows it.
        checkpointed.push(((await hive.getTask(task.id)).checkpoint as { step: number }).step);
        return { built: task.input };
      },
    });
    const [agent] = await hive.listAgents();
    expect(agent).toMatchObject({
      id: 'w1',
      status: 'idle',
      capabilities: ['build'],
      maxConcurrent: 4,
      remote: { host: hostname(), pid: process.pid, status: 'online' },
    });
    const tasks = await hive.postTasks([1, 2, 3].map((i) => ({ type: 'build', input: i })));
    const done = await Promise.all(tasks.map((t) => hive.waitForTask(t.id, { timeoutMs: 10_000 })));
    expect(done.map((t) => [t.status, t.output, t.assignedTo, t.progress, t.checkpoint])).toEqual(
      [1, 2, 3].map((i) => ['completed', { built: i }, 'w1', { pct: 40, note: 'compiling' }, { step: 1 }]),
    );
    expect(checkpointed).toEqual([1, 1, 1]);
    expect((await hive.getAgent('w1')).succeeded).toBe(3);
  });

  it('a remote agent pauses, resumes and stops like any other: stopping it aborts its attempt on the worker and hands the task to another', async () => {
    const { hive, prefix } = await remoteHive();
    const running = gate<string>();
    const aborts: string[] = [];
    await worker(prefix, 'w1', {
      job: async (task, ctx) => {
        if (task.input === 'hold') {
          running.open(task.id);
          await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
          aborts.push(String((ctx.signal.reason as Error).message));
          throw new Error('stopped');
        }
        return 'w1';
      },
    });
    await hive.pauseAgent('w1');
    const queued = await hive.postTask({ type: 'job' });
    await sleep(200);
    expect((await hive.getTask(queued.id)).status).toBe('pending');
    await hive.resumeAgent('w1');
    expect(await hive.waitForTask(queued.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: 'w1' });
    const held = await hive.postTask({ type: 'job', input: 'hold' });
    await running.promise;
    await hive.stopAgent('w1');
    await until(() => aborts.length === 1);
    expect(aborts[0]).toMatch(/aborted: reassigned/);
    await worker(prefix, 'w2', { job: async () => 'w2' });
    expect(await hive.waitForTask(held.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: 'w2', assignedTo: 'w2' });
    expect(await hive.getAgent('w1')).toMatchObject({ status: 'stopped' });
  });

  it('cancel and timeout abort the handler on the worker; the aborted attempt records nothing and its checkpoints are refused', async () => {
    const { hive, prefix } = await remoteHive();
    const started = gate<string>();
    const aborted: string[] = [];
    const late: unknown[] = [];
    await worker(prefix, 'w1', {
      slow: async (task, ctx) => {
        started.open(task.id);
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        aborted.push(`${task.id}: ${String((ctx.signal.reason as Error).message)}`);
        late.push(await ctx.checkpoint({ late: true }).catch((e: unknown) => e));
        return 'too late';
      },
    });
    const t = await hive.postTask({ id: 'c1', type: 'slow', maxRetries: 0 });
    await started.promise;
    await hive.cancelTask(t.id);
    await until(() => aborted.length === 1);
    expect(aborted[0]).toMatch(/^c1: attempt 1 of task c1 aborted: cancelled/);
    await until(() => late.length === 1);
    expect(late[0]).toBeInstanceOf(AttemptSupersededError);
    const timed = await hive.postTask({ id: 'to1', type: 'slow', timeoutMs: 100, maxRetries: 0 });
    expect(await hive.waitForTask(timed.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'timed_out', error: { code: 'timeout' } });
    await until(() => aborted.length === 2);
    expect(aborted[1]).toMatch(/^to1: .* aborted: timeout/);
    await sleep(100);
    expect((await hive.getTask('c1')).status).toBe('cancelled');
    expect((await hive.getTask('c1')).output).toBeUndefined();
  });

  it('close() hands running attempts back: they resume from their last checkpoint on another worker; the agent is paused until its worker rejoins', async () => {
    const { hive, prefix } = await remoteHive();
    const inW1 = gate();
    const w1 = await worker(prefix, 'w1', {
      long: async (_task, ctx) => {
        await ctx.checkpoint({ half: true });
        inW1.open();
        await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
        throw new Error('stopped');
      },
    });
    const t = await hive.postTask({ id: 'long-1', type: 'long' });
    await inW1.promise;
    await w1.close();
    expect(await hive.getAgent('w1')).toMatchObject({ status: 'paused', remote: { status: 'away' } });
    expect(await hive.getTask(t.id)).toMatchObject({ status: 'pending', redispatches: 1, checkpoint: { half: true } });
    const seen: unknown[] = [];
    await worker(prefix, 'w2', {
      long: async (_t, ctx) => {
        seen.push(ctx.lastCheckpoint);
        return 'done';
      },
    });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed', assignedTo: 'w2', attempts: 2, output: 'done' });
    expect(seen).toEqual([{ half: true }]);
    // The same agent started again (a new process): it rejoins and is available again.
    await worker(prefix, 'w1', { long: async () => 'again' });
    expect(await hive.getAgent('w1')).toMatchObject({ status: 'idle', remote: { status: 'online' } });
  });

  it('a worker killed with SIGKILL is marked lost: its agent goes to error, its attempt is suspended (no backup) and runs elsewhere from its checkpoint; restarted, it rejoins', async () => {
    const { hive, prefix } = await remoteHive();
    const child = await startWorkerProcess({ prefix, id: 'doomed' });
    child.on('error', () => undefined);
    try {
      const lost = nextEvent(hive, 'agent.lost');
      const escalated = nextEvent(hive, 'task.escalated');
      const t = await hive.postTask({ id: 'k1', type: 'work', input: { ms: 60_000, steps: 600 } });
      await until(async () => (await hive.getTask(t.id)).checkpoint !== undefined, 10_000);
      child.kill('SIGKILL');
      await lost;
      expect(await hive.getAgent('doomed')).toMatchObject({ status: 'error', errorReason: 'missed heartbeat', remote: { status: 'lost' }, tasks: [] });
      // No other agent can take it: suspended and escalated until one registers.
      expect(await escalated).toMatchObject({ taskId: t.id, code: 'no_backup', agentId: 'doomed' });
      const after = await hive.getTask(t.id);
      expect(after).toMatchObject({ status: 'suspended', redispatches: 1, escalation: { code: 'no_backup' } });
      const seen: unknown[] = [];
      await worker(prefix, 'rescuer', {
        work: async (_t, ctx) => {
          seen.push(ctx.lastCheckpoint);
          return 'rescued';
        },
      });
      expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: 'rescued', attempts: 2 });
      expect(seen).toEqual([after.checkpoint]);
      const restarted = await startWorkerProcess({ prefix, id: 'doomed' });
      try {
        expect(await hive.getAgent('doomed')).toMatchObject({ status: 'idle', remote: { status: 'online', pid: restarted.pid } });
        const again = await hive.postTask({ type: 'work', input: { ms: 1 } });
        expect(await hive.waitForTask(again.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed' });
      } finally {
        restarted.kill('SIGKILL');
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a reopened hive keeps the attempts of live workers and re-dispatches those of workers that died while it was down', async () => {
    const dataDir = tempDir();
    const first = await remoteHive({ dataDir });
    const prefix = first.prefix;
    const procs = new Map([
      ['gone', await startWorkerProcess({ prefix, id: 'gone' })],
      ['stays', await startWorkerProcess({ prefix, id: 'stays' })],
    ]);
    try {
      const [a, b] = await first.hive.postTasks([
        { id: 'a', type: 'work', input: { ms: 4000, steps: 40 } },
        { id: 'b', type: 'work', input: { ms: 4000, steps: 40 } },
      ]);
      await until(async () => (await first.hive.getTask('a')).checkpoint !== undefined && (await first.hive.getTask('b')).checkpoint !== undefined, 10_000);
      const holder = new Map(
        [(await first.hive.getTask('a')).assignedTo!, (await first.hive.getTask('b')).assignedTo!].map((agent, i) => [agent, [a, b][i]!.id]),
      );
      expect([...holder.keys()].sort()).toEqual(['gone', 'stays']);
      await first.hive.close();
      procs.get('gone')!.kill('SIGKILL');
      const hive = await openHive({ dataDir, nats: { servers: nats.url, prefix, workerTimeoutMs: 2000 } });
      const lost = nextEvent(hive, 'agent.lost');
      expect(await hive.getTask(holder.get('stays')!)).toMatchObject({ status: 'running', attempts: 1 });
      expect(await hive.getTask(holder.get('gone')!)).toMatchObject({ status: 'running', attempts: 1 });
      expect((await lost).agentId).toBe('gone');
      // The live worker's attempt was kept: it finishes as attempt 1.
      expect(await hive.waitForTask(holder.get('stays')!, { timeoutMs: 20_000 })).toMatchObject({
        status: 'completed',
        attempts: 1,
        redispatches: 0,
        assignedTo: 'stays',
      });
      // The dead worker's attempt went back to the queue and ran on the live one, from its checkpoint.
      const redone = await hive.waitForTask(holder.get('gone')!, { timeoutMs: 20_000 });
      expect(redone).toMatchObject({ status: 'completed', attempts: 2, redispatches: 1, assignedTo: 'stays' });
      expect((redone.output as { seen: number }).seen).toBeGreaterThan(0);
    } finally {
      for (const p of procs.values()) p.kill('SIGKILL');
    }
  }, 60_000);

  it('a NATS outage longer than workerTimeoutMs loses no worker: the hive heard nobody, so nobody was silent', async () => {
    const { hive, prefix } = await remoteHive();
    const lost: unknown[] = [];
    hive.on('agent.lost', (e) => lost.push(e));
    const steps = gate();
    await worker(prefix, 'w1', {
      long: async (_t, ctx) => {
        for (let i = 1; i <= 20; i++) {
          await sleep(150);
          await ctx.checkpoint({ i });
          if (i === 2) steps.open();
        }
        return 'through';
      },
    });
    const t = await hive.postTask({ type: 'long' });
    await steps.promise;
    await nats.restart('SIGKILL', 3000);
    expect(await hive.waitForTask(t.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'completed', output: 'through', attempts: 1, checkpoint: { i: 20 } });
    await sleep(500);
    expect(lost).toEqual([]);
    expect(await hive.getAgent('w1')).toMatchObject({ status: 'idle', remote: { status: 'online' } });
  }, 40_000);

  it('a heartbeat that went down with the old hive does not hold back the next: the reopened hive keeps the worker', async () => {
    const dataDir = tempDir();
    const first = await remoteHive({ dataDir });
    await worker(first.prefix, 'w1', { job: async () => 'ok' });
    await first.hive.close();
    // The dead hive took a heartbeat and never answered it: a subscriber that swallows them.
    const nc = await connect({ servers: nats.url });
    const swallowed: number[] = [];
    const sub = nc.subscribe(`${first.prefix}.hive.heartbeat`, { callback: () => void swallowed.push(Date.now()) });
    await until(() => swallowed.length > 0, 5000);
    sub.unsubscribe();
    await nc.close();
    const hive = await openHive({ dataDir, nats: { servers: nats.url, prefix: first.prefix, workerTimeoutMs: 2000 } });
    const lost: unknown[] = [];
    hive.on('agent.lost', (e) => lost.push(e));
    await sleep(3500);
    expect(lost).toEqual([]);
    expect(await hive.getAgent('w1')).toMatchObject({ status: 'idle', remote: { status: 'online' } });
  }, 30_000);

  it('outputs that NATS or the store cannot carry fail the attempt with a typed error; malformed messages are refused, not fatal', async () => {
    const { hive, prefix } = await remoteHive();
    await worker(
      prefix,
      'w1',
      {
        huge: async () => 'x'.repeat(2 * 1024 * 1024),
        nearLimit: async () => 'y'.repeat(1024 * 1024 - 100),
        bigint: async () => ({ n: 10n }) as never,
        bigCheckpoint: async (_t, ctx) => {
          // Within the store's 1 MiB, but not within one NATS message together with its envelope.
          const err = await ctx.checkpoint('z'.repeat(1024 * 1024 - 10)).catch((e: unknown) => e);
          return { code: (err as { code?: string }).code ?? null, message: String((err as Error).message) };
        },
        hugeError: async () => {
          throw Object.assign(new Error('e'.repeat(5 * 1024 * 1024)), { code: 'boom' });
        },
        cyclic: async () => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o as never;
        },
      },
      { agent: { id: 'w1', capabilities: ['huge', 'nearLimit', 'bigint', 'cyclic', 'bigCheckpoint', 'hugeError'], maxConcurrent: 4, failureThreshold: 100 } },
    );
    const opts = { maxRetries: 0 };
    const [huge, near, big, cyc] = await hive.postTasks(['huge', 'nearLimit', 'bigint', 'cyclic'].map((type) => ({ type, ...opts })));
    const settled = await Promise.all([huge, near, big, cyc].map((t) => hive.waitForTask(t!.id, { timeoutMs: 10_000 })));
    expect(settled.map((t) => [t.status, t.error?.code])).toEqual([
      ['failed', 'bad_output'],
      ['failed', 'output_too_large'],
      ['failed', 'bad_output'],
      ['failed', 'bad_output'],
    ]);
    expect(settled[0]!.error!.message).toMatch(/at most 1048576 are allowed/);
    expect(settled[2]!.error!.message).toMatch(/bigint/);
    const [cp, err] = await hive.postTasks([
      { type: 'bigCheckpoint', ...opts },
      { type: 'hugeError', ...opts },
    ]);
    expect((await hive.waitForTask(cp!.id, { timeoutMs: 10_000 })).output).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/max_payload/),
    });
    const failed = await hive.waitForTask(err!.id, { timeoutMs: 10_000 });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'boom' } });
    // Cut to the same length as an in-process handler's error message.
    expect(failed.error!.message).toHaveLength(maxErrorMessage);

    // A buggy or hostile client talking to the hive directly.
    const nc = await connect({ servers: nats.url });
    try {
      const garbage = JSON.parse(
        new TextDecoder().decode((await nc.request(`${prefix}.hive.outcome`, new Uint8Array([0xff, 0x00, 0x7b]), { timeout: 5000 })).data),
      );
      expect(garbage).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/not JSON/) } });
      const unknownOp = JSON.parse(new TextDecoder().decode((await nc.request(`${prefix}.hive.explode`, '{}', { timeout: 5000 })).data));
      expect(unknownOp).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      // An output with a key the store cannot keep, sent for a running attempt: the attempt fails, typed.
      const hold = gate();
      await worker(prefix, 'w2', {
        held: async () => {
          await hold.promise;
          return 'never';
        },
      });
      const t = await hive.postTask({ type: 'held', maxRetries: 0 });
      await until(async () => (await hive.getTask(t.id)).status === 'running');
      const instance = (await hive.getAgent('w2')).remote!;
      expect(instance.status).toBe('online');
      const w2 = workers.at(-1)!;
      const raw = `{"agentId":"w2","instance":"${w2.instance}","taskId":"${t.id}","attempt":1,"outcome":{"type":"succeeded","output":{"__proto__":{"polluted":true}}}}`;
      const reply = JSON.parse(new TextDecoder().decode((await nc.request(`${prefix}.hive.outcome`, raw, { timeout: 5000 })).data));
      expect(reply).toEqual({ ok: true, recorded: true });
      expect(await hive.getTask(t.id)).toMatchObject({ status: 'failed', error: { code: 'bad_output', message: expect.stringMatching(/__proto__/) } });
      hold.open();
    } finally {
      await nc.close();
    }
    expect((await hive.status()).lastSeq).toBeGreaterThan(0);
  });

  it('refuses a worker whose id belongs to an in-process agent, or that offers a different agent than the one registered', async () => {
    const { hive, prefix } = await remoteHive();
    await hive.spawnAgent({ id: 'local', name: 'local', capabilities: ['x'] });
    const err = await worker(prefix, 'local', { x: async () => 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerRefusedError);
    expect((err as Error).message).toMatch(/in-process agent/);
    const w = await worker(prefix, 'w1', { x: async () => 1 });
    await w.close();
    const changed = await worker(prefix, 'w1', { x: async () => 1, y: async () => 2 }).catch((e: unknown) => e);
    expect(isHiveError(changed, 'worker_refused')).toBe(true);
    expect((changed as Error).message).toMatch(/capabilities/);
    await expect(runWorker({ servers: nats.url, agent: { id: 'w', capabilities: ['a'] }, handlers: {} })).rejects.toThrow(
      /handler for every capability; missing: a/,
    );
  });

  it("a worker's verifier verifies tasks of types the hive has no verifier for", async () => {
    const { hive, prefix } = await remoteHive();
    await worker(
      prefix,
      'w1',
      { draw: async (t) => ({ lines: t.input }) },
      { verifiers: { draw: (t) => ((t.output as { lines: number }).lines > 2 ? true : { ok: false, reason: 'too few lines' }) } },
    );
    const [good, bad] = await hive.postTasks([
      { type: 'draw', input: 3, verify: true },
      { type: 'draw', input: 1, verify: true, maxRetries: 0 },
    ]);
    expect(await hive.waitForTask(good!.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'verified' });
    expect(await hive.waitForTask(bad!.id, { timeoutMs: 10_000 })).toMatchObject({
      status: 'failed',
      error: { code: 'verification_failed', message: 'too few lines' },
    });
  });

  it('replay reproduces a run with remote workers from its journal', async () => {
    const dataDir = tempDir();
    const { hive, prefix } = await remoteHive({ dataDir });
    const w1 = await worker(prefix, 'w1', {
      job: async (_t, ctx) => {
        await ctx.checkpoint({ ok: 1 });
        return ctx.attempt;
      },
    });
    const tasks = await hive.postTasks(Array.from({ length: 20 }, (_, i) => ({ type: 'job', input: i })));
    await Promise.all(tasks.map((t) => hive.waitForTask(t.id, { timeoutMs: 10_000 })));
    await w1.close();
    await hive.close();
    const replay = await openReplay(dataDir);
    try {
      expect((await replay.verify()).inputs).toBeGreaterThan(40);
      // The inspector's tree shows the worker under its agent, with its host and state.
      await replay.seek(replay.lastSeq);
      const tree = actorTree(replay.actors());
      expect(tree.find((a) => a.address === 'remote:w1')).toMatchObject({
        kind: 'remote',
        status: 'away',
        parent: 'agent:w1',
        context: { host: hostname(), pid: process.pid },
      });
    } finally {
      await replay.close();
    }
  });
});

describe('hivestate worker', () => {
  it('runs an agent from a handlers module; SIGTERM makes it leave and exit 0', async () => {
    const { hive, prefix } = await remoteHive();
    const handlers = join(import.meta.dirname, 'fixtures', 'workerHandlers.ts');
    const cli = startCli([
      'worker',
      '--nats',
      nats.url,
      '--prefix',
      prefix,
      '--id',
      'cli-1',
      '--capabilities',
      'shout',
      '--handlers',
      handlers,
      '--max-concurrent',
      '2',
      '--host',
      'box-7',
    ]);
    await until(() => cli.stdout().includes('joined the hive'), 20_000);
    expect(await hive.getAgent('cli-1')).toMatchObject({ status: 'idle', maxConcurrent: 2, remote: { host: 'box-7', status: 'online' } });
    const t = await hive.postTask({ type: 'shout', input: 'hello', verify: true });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'verified', output: 'HELLO' });
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('worker cli-1 left');
    expect(await hive.getAgent('cli-1')).toMatchObject({ status: 'paused', remote: { status: 'away' } });
  });

  it("README's three commands: a hive and two workers from the command line run posted tasks", async () => {
    const dataDir = tempDir();
    const handlers = join(import.meta.dirname, 'fixtures', 'workerHandlers.ts');
    const hive = startCli(['hive', '--nats', nats.url, '--data-dir', dataDir, '--worker-timeout', '2000']);
    const w1 = startCli(['worker', '--nats', nats.url, '--id', 'w1', '--capabilities', 'shout', '--handlers', handlers]);
    const w2 = startCli(['worker', '--nats', nats.url, '--id', 'w2', '--capabilities', 'shout', '--handlers', handlers]);
    try {
      await until(() => hive.stdout().includes('Ctrl-C stops it') && w1.stdout().includes('joined') && w2.stdout().includes('joined'), 30_000);
      for (const word of ['one', 'two', 'three', 'four']) {
        const post = await runCli(['post', 'shout', '--id', word, '--input', JSON.stringify(word), '--data-dir', dataDir]);
        expect(post.code, post.stderr).toBe(0);
      }
      await until(async () => {
        const r = await runCli(['tasks', '--status', 'completed', '--json', '--data-dir', dataDir]);
        return r.code === 0 && (JSON.parse(r.stdout) as unknown[]).length === 4;
      }, 30_000);
      const agents = JSON.parse((await runCli(['agents', '--json', '--data-dir', dataDir])).stdout) as Array<{ id: string; remote?: { status: string } }>;
      expect(agents.map((a) => [a.id, a.remote?.status]).sort()).toEqual([
        ['w1', 'online'],
        ['w2', 'online'],
      ]);
      const tasks = JSON.parse((await runCli(['tasks', '--json', '--data-dir', dataDir])).stdout) as Array<{ id: string; output: string }>;
      expect(Object.fromEntries(tasks.map((t) => [t.id, t.output]))).toEqual({ one: 'ONE', two: 'TWO', three: 'THREE', four: 'FOUR' });
    } finally {
      for (const p of [w1, w2, hive]) p.child.kill('SIGTERM');
    }
    expect((await hive.done).code).toBe(0);
  }, 60_000);

  it('has --help and says in one line what is wrong with its arguments', async () => {
    const help = await runCli(['worker', '--help']);
    expect(help.stdout).toMatch(/--nats <url>[\s\S]*--capabilities <types>[\s\S]*--handlers <module>/);
    expect(help.stdout).toContain('hivestate worker --nats nats://127.0.0.1:4222 --id w1 --capabilities build,test --handlers ./handlers.js');
    const missing = await runCli(['worker', '--nats', nats.url, '--id', 'x', '--capabilities', 'a', '--handlers', '/nonexistent/h.js']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^hivestate: --handlers: cannot load \/nonexistent\/h\.js/);
    const noNats = await runCli([
      'worker',
      '--nats',
      'nats://127.0.0.1:1',
      '--id',
      'x',
      '--capabilities',
      'shout',
      '--handlers',
      join(import.meta.dirname, 'fixtures', 'workerHandlers.ts'),
    ]);
    expect(noNats.code).toBe(1);
    expect(noNats.stderr).toMatch(/^hivestate: cannot use NATS at nats:\/\/127\.0\.0\.1:1: .*nats-server -js/);
  });
});

describe('without the nats option', () => {
  it('loads no NATS module (a hook refuses any import of @nats-io, and a hive with the option then fails)', () => {
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, next) { if (s.includes("@nats-io")) throw new Error("NATS loaded: " + s); return next(s, c); }'));
      const { createHive } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'src', 'index.ts'))});
      const { mkdtempSync } = await import('node:fs');
      const hive = await createHive({ dataDir: mkdtempSync('/tmp/hive-nonats-'), handlers: { x: async () => 1 } });
      await hive.spawnAgent({ name: 'a', capabilities: ['x'] });
      const t = await hive.postTask({ type: 'x' });
      console.log('without:', (await hive.waitForTask(t.id)).status);
      await hive.close();
      const err = await createHive({ dataDir: mkdtempSync('/tmp/hive-nonats-'), nats: { servers: 'nats://127.0.0.1:1' } }).catch((e) => e.message);
      console.log('with:', err);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout, run.stderr).toContain('without: completed');
    expect(run.stdout).toMatch(/with: NATS loaded: @nats-io\//);
  });
});
