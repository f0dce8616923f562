import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { openHiveFile } from '../src/store/openHiveFile.js';
import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, openReplay, type Json, type WorkerHandler } from '../src/index.js';
import { gate, memoryLogger, openHive, settle, tempDir, until } from './helpers.js';

const echo: WorkerHandler = async (job) => ({ task: job.task, input: job.input });

/** Replays the whole run and checks it reproduces the stored state. */
async function verifyReplay(dir: string): Promise<number> {
  const replay = await openReplay(dir);
  try {
    return (await replay.verify()).actors;
  } finally {
    await replay.close();
  }
}

describe('timer triggers', () => {
  it('fire once per slot on a manual clock, run immediately when asked, and skip the slots missed while paused', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock });
    const colony = await hive.spawnColony({ id: 'tm', name: 'timers', handler: echo });
    const fired: Array<Record<string, unknown>> = [];
    hive.on('trigger.fired', (e) => fired.push(e));
    await colony.addTrigger({ id: 'tick', kind: 'timer', everyMs: 1000, task: 'tick', input: 'x', runImmediately: true });
    clock.advance(0);
    await until(() => fired.length === 1);
    clock.advance(999);
    await settle();
    expect(fired.length).toBe(1);
    clock.advance(1);
    await until(() => fired.length === 2);
    await colony.pauseTimers();
    expect((await colony.status()).triggers[0]).not.toHaveProperty('nextDueAt');
    clock.advance(5000);
    await settle();
    expect(fired.length).toBe(2);
    await colony.resumeTimers();
    expect((await colony.status()).triggers[0]).toMatchObject({ id: 'tick', kind: 'timer', fired: 2, nextDueAt: 7000 });
    clock.advance(1000);
    await until(() => fired.length === 3);
    expect(fired.map((e) => [e.colonyId, e.triggerId, e.slot])).toEqual([
      ['tm', 'tick', 0],
      ['tm', 'tick', 1],
      ['tm', 'tick', 7],
    ]);
    const reports = await colony.waitForReports(fired.map((e) => e.workerId as string));
    expect(reports.map((r) => r.output)).toEqual([
      { task: 'tick', input: 'x' },
      { task: 'tick', input: 'x' },
      { task: 'tick', input: 'x' },
    ]);
    await colony.removeTrigger('tick');
    clock.advance(5000);
    await settle();
    expect(fired.length).toBe(3);
  });

  it('skipWhileBusy skips a firing while a worker of that trigger still runs', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock });
    const release = gate();
    const colony = await hive.spawnColony({ name: 'busy', handler: async () => release.promise.then(() => 'done') });
    const events: Array<[string, unknown]> = [];
    hive.on('trigger.fired', (e) => events.push(['fired', e.slot]));
    hive.on('trigger.skipped', (e) => events.push(['skipped', e.slot]));
    await colony.addTrigger({ id: 'poll', kind: 'timer', everyMs: 100, task: 'poll', skipWhileBusy: true });
    clock.advance(100);
    await until(() => events.length === 1);
    clock.advance(100);
    await until(() => events.length === 2);
    release.open();
    await until(async () => (await colony.status()).finished === 1);
    clock.advance(100);
    await until(() => events.length === 3);
    expect(events).toEqual([
      ['fired', 1],
      ['skipped', 2],
      ['fired', 3],
    ]);
  });

  it('keep their schedule across a restart: a slot that fired never fires again, a slot missed while down fires once', async () => {
    const dir = tempDir();
    const clock = new ManualClock(0);
    const first = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger });
    const colony = await first.spawnColony({ id: 'sched', name: 'sched', handler: echo });
    const slots: unknown[] = [];
    first.on('trigger.fired', (e) => slots.push(e.slot));
    await colony.addTrigger({ id: 'tick', kind: 'timer', everyMs: 1000, task: 'tick' });
    clock.advance(1000);
    await until(() => slots.length === 1);
    await first.close();

    clock.advance(2500); // slots 2 and 3 fall due while the hive is down
    const second = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger, colonies: { sched: echo } });
    try {
      second.on('trigger.fired', (e) => slots.push(e.slot));
      clock.advance(0);
      await until(() => slots.length === 2);
      expect((await second.colony('sched').status()).triggers[0]!.nextDueAt).toBe(4000);
      clock.advance(499);
      await settle();
      expect(slots).toEqual([1, 2]);
      clock.advance(1);
      await until(() => slots.length === 3);
      expect(slots).toEqual([1, 2, 4]);
      expect((await second.colony('sched').status()).triggers[0]).toMatchObject({ fired: 3 });
    } finally {
      await second.close();
    }
    expect(await verifyReplay(dir)).toBeGreaterThan(1);
  });

  it('stop with the colony', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock });
    const colony = await hive.spawnColony({ name: 'halt', handler: echo });
    let fired = 0;
    hive.on('trigger.fired', () => fired++);
    await colony.addTrigger({ id: 'tick', kind: 'timer', everyMs: 100, task: 'tick' });
    await colony.stop();
    clock.advance(1000);
    await settle();
    expect(fired).toBe(0);
    await expect(colony.addTrigger({ id: 'more', kind: 'api', task: 'x' })).rejects.toMatchObject({ code: 'colony_stopped' });
  });
});

describe('webhook triggers', () => {
  const secret = 'a-shared-secret-of-some-length';
  const sign = (body: string, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

  it('accept a correctly signed POST over HTTP (202 with the worker id) and reject a missing or wrong signature (401, nothing spawned)', async () => {
    const hive = await openHive({ http: { port: 0 } });
    expect(hive.http?.host).toBe('127.0.0.1');
    const colony = await hive.spawnColony({ id: 'hooks', name: 'hooks', handler: echo });
    await colony.addTrigger({ id: 'push', kind: 'webhook', path: 'ci/push', secret, task: 'build' });
    const url = `${hive.http!.url}/hooks/ci/push`;
    const body = JSON.stringify({ ref: 'main', commits: 3 });
    const post = (b: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', body: b, headers: { 'content-type': 'application/json', ...headers } });

    const ok = await post(body, { 'x-hivestate-signature': sign(body) });
    expect(ok.status).toBe(202);
    const { workerId } = (await ok.json()) as { workerId: string };
    expect((await colony.waitForReports([workerId], { timeoutMs: 2000 }))[0]).toMatchObject({
      status: 'success',
      output: { task: 'build', input: { ref: 'main', commits: 3 } },
    });

    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { 'x-hivestate-signature': sign(body, 'another-secret-entirely!') })).status).toBe(401);
    expect((await post(`${body} `, { 'x-hivestate-signature': sign(body) })).status).toBe(401);
    expect((await post(body, { 'x-hivestate-signature': 'sha256=zz' })).status).toBe(401);
    expect((await colony.status()).workers).toBe(1);

    const keyed = { 'x-hivestate-signature': sign(body), 'idempotency-key': 'delivery-1' };
    const a = (await (await post(body, keyed)).json()) as { workerId: string };
    const b = (await (await post(body, keyed)).json()) as { workerId: string };
    expect(b.workerId).toBe(a.workerId);
    expect((await colony.status()).workers).toBe(2);

    expect((await fetch(`${hive.http!.url}/hooks/unknown`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(url)).status).toBe(405);
    const notJson = 'not json';
    expect((await post(notJson, { 'x-hivestate-signature': sign(notJson) })).status).toBe(400);
    await expect(colony.addTrigger({ id: 'again', kind: 'webhook', path: 'ci/push', secret, task: 'x' })).rejects.toMatchObject({ field: 'path' });
    await expect(colony.addTrigger({ id: 'weak', kind: 'webhook', path: 'weak', secret: 'short', task: 'x' })).rejects.toMatchObject({ field: 'secret' });
  });
});

describe('api triggers and idempotency keys', () => {
  it('trigger returns the worker id at once; triggerAndWait returns its report', async () => {
    const hive = await openHive();
    const colony = await hive.spawnColony({ name: 'api', handler: echo });
    await colony.addTrigger({ id: 'run', kind: 'api', task: 'run it' });
    const id = await colony.trigger('run', { n: 1 });
    expect((await colony.waitForReports([id]))[0]).toMatchObject({ status: 'success', output: { task: 'run it', input: { n: 1 } } });
    expect(await colony.triggerAndWait('run', 2, { timeoutMs: 2000 })).toMatchObject({ status: 'success', output: { input: 2 } });
    await expect(colony.trigger('nope')).rejects.toMatchObject({ code: 'not_found', kind: 'trigger' });
    await expect(colony.trigger('run', (() => 1) as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('a key within its TTL returns the first worker; the oldest key is evicted beyond max; both survive a restart', async () => {
    const dir = tempDir();
    const clock = new ManualClock(0);
    const options = { dataDir: dir, clock, idempotency: { ttlMs: 1000, max: 2 } };
    const first = await createHive({ ...options, logger: memoryLogger().logger });
    const colony = await first.spawnColony({ id: 'idem', name: 'idem', handler: echo });
    await colony.addTrigger({ id: 'run', kind: 'api', task: 'run' });
    const a1 = await colony.trigger('run', 1, { idempotencyKey: 'k1' });
    expect(await colony.trigger('run', 1, { idempotencyKey: 'k1' })).toBe(a1);
    clock.advance(999);
    expect(await colony.trigger('run', 1, { idempotencyKey: 'k1' })).toBe(a1);
    clock.advance(1);
    const a2 = await colony.trigger('run', 1, { idempotencyKey: 'k1' });
    expect(a2).not.toBe(a1);
    const b = await colony.trigger('run', 2, { idempotencyKey: 'k2' });
    const c = await colony.trigger('run', 3, { idempotencyKey: 'k3' }); // evicts k1
    const a3 = await colony.trigger('run', 1, { idempotencyKey: 'k1' }); // evicts k2
    expect(new Set([a1, a2, b, c, a3]).size).toBe(5);
    expect(await colony.trigger('run', 3, { idempotencyKey: 'k3' })).toBe(c);
    await first.close();

    const second = await createHive({ ...options, logger: memoryLogger().logger, colonies: { idem: echo } });
    try {
      const again = second.colony('idem');
      expect(await again.trigger('run', 3, { idempotencyKey: 'k3' })).toBe(c);
      expect(await again.trigger('run', 1, { idempotencyKey: 'k1' })).toBe(a3);
      expect(await again.trigger('run', 2, { idempotencyKey: 'k2' })).not.toBe(b);
      clock.advance(1000);
      expect(await again.trigger('run', 3, { idempotencyKey: 'k3' })).not.toBe(c);
    } finally {
      await second.close();
    }
    expect(await verifyReplay(dir)).toBeGreaterThan(1);
  });
});

describe('result retention', () => {
  it('prunes finished workers beyond max and older than ttlMs, oldest first; pruned ids report no_such_worker, also after a restart', async () => {
    const dir = tempDir();
    const clock = new ManualClock(0);
    const first = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger });
    const colony = await first.spawnColony({ id: 'ret', name: 'ret', handler: echo, retention: { max: 2, ttlMs: 1000 } });
    const ids = await colony.spawn('job', { count: 3 });
    await until(async () => (await colony.status()).finished === 3);
    const statuses = async () => (await colony.waitForReports(ids)).map((r) => (r.status === 'failed' ? r.error?.code : r.status));
    expect(await statuses()).toEqual(['no_such_worker', 'success', 'success']);
    clock.advance(999);
    await settle();
    expect(await statuses()).toEqual(['no_such_worker', 'success', 'success']);
    clock.advance(1);
    await until(async () => (await statuses()).every((s) => s === 'no_such_worker'));
    const [kept] = await colony.spawn('job');
    await colony.waitForReports([kept!]);
    await first.close();

    const second = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger, colonies: { ret: echo } });
    try {
      const again = second.colony('ret');
      const reports = await again.waitForReports([...ids, kept!]);
      expect(reports.map((r) => r.error?.code ?? r.status)).toEqual(['no_such_worker', 'no_such_worker', 'no_such_worker', 'success']);
      clock.advance(1000);
      await until(async () => (await again.waitForReports([kept!]))[0]!.error?.code === 'no_such_worker');
    } finally {
      await second.close();
    }
    expect(await verifyReplay(dir)).toBeGreaterThan(1);
  });
});

describe('overseer and inherited context', () => {
  it('starts once, receives injected messages in order, and workers spawned with inheritContext get its messages and the shared context', async () => {
    const hive = await openHive();
    const seen: Json[] = [];
    const colony = await hive.spawnColony({
      id: 'ov',
      name: 'overseen',
      maxConcurrentWorkers: 1,
      handler: async (job) => job.inherited ?? 'nothing inherited',
    });
    await expect(colony.inject('too early')).rejects.toMatchObject({ code: 'not_found' });
    const overseer = async (_job: unknown, ctx: { messages: AsyncIterable<Json> }) => {
      for await (const m of ctx.messages) seen.push(m);
      return null;
    };
    const [id, same] = await Promise.all([colony.startOverseer({ handler: overseer }), colony.startOverseer()]);
    expect(same).toBe(id);
    expect(await colony.startOverseer()).toBe(id);
    await colony.inject('first');
    await colony.inject({ second: 2 });
    await until(() => seen.length === 2);
    expect(seen).toEqual(['first', { second: 2 }]);
    await colony.setContext({ repo: 'hivestate' });
    const [inheriting] = await colony.spawn('job', { inheritContext: true });
    await colony.inject('third');
    const [later] = await colony.spawn('job', { inheritContext: true });
    const [plain] = await colony.spawn('job');
    const reports = await colony.waitForReports([inheriting!, later!, plain!], { timeoutMs: 2000 });
    expect(reports.map((r) => r.output)).toEqual([
      { context: { repo: 'hivestate' }, messages: ['first', { second: 2 }] },
      { context: { repo: 'hivestate' }, messages: ['first', { second: 2 }, 'third'] },
      'nothing inherited',
    ]);
    // The overseer held no slot of maxConcurrentWorkers: 1 while the workers ran.
    expect(await colony.status()).toMatchObject({ overseerId: id, running: 1, finished: 3 });
    await colony.stop();
    expect((await colony.waitForReports([id]))[0]!.status).toBe('stopped');
  });

  it('skips and logs a damaged piece of inherited context instead of failing the worker', async () => {
    const dir = tempDir();
    const first = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    const colony = await first.spawnColony({ id: 'dmg', name: 'damaged', handler: async (job) => job.inherited ?? null });
    const overseerId = await colony.startOverseer({
      handler: async (_job, ctx) => {
        for await (const _m of ctx.messages);
        return null;
      },
    });
    for (const m of ['one', 'two', 'three']) await colony.inject(m);
    await first.close();

    // Damage the second message as stored (a value JSON cannot hold), as a bug would; written through
    // the store's own sealed database so the file stays consistent and only the value is wrong.
    const { root, dbs } = openHiveFile(join(dir, 'hive.lmdb'), { readOnly: false });
    const address = `worker:dmg/${overseerId}`;
    const stored = dbs.actors.get(address)! as unknown as { snapshot: { context: { inbox: unknown[] } } };
    stored.snapshot.context.inbox[1] = new Date(0);
    await root.transaction(() => dbs.actors.put(address, stored as never));
    await root.close();

    const logged = memoryLogger();
    const second = await createHive({ dataDir: dir, logger: logged.logger, colonies: { dmg: async (job) => job.inherited ?? null } });
    try {
      const again = second.colony('dmg');
      const [id] = await again.spawn('job', { inheritContext: true });
      expect((await again.waitForReports([id!], { timeoutMs: 2000 }))[0]).toMatchObject({ status: 'success', output: { messages: ['one', 'three'] } });
      expect(logged.lines.some((l) => l.msg === 'an inherited overseer message is damaged; skipped' && l.index === 1)).toBe(true);
    } finally {
      await second.close();
    }
    // The store was damaged on purpose: replay would (rightly) report the divergence.
  });
});
