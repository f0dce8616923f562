/**
 * @module A remote worker's `ctx` beyond progress and checkpoints: `ctx.postTask` is posted by the
 * hive as a sub-task of the attempt's task (a request sent again posts nothing twice, a bad spec is
 * refused with the hive's typed error), and `ctx.waitForSignal` ends the attempt until the signal
 * arrives, as in process. Replay agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../scripts/natsServer.js';
import type { Json } from '../src/index.js';
import { startFixtureWorker } from './fixtureWorker.js';
import { memoryLogger, openHive, tempDir, until, verifyReplay } from './helpers.js';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});
describe('ctx.postTask and ctx.waitForSignal in a remote worker', () => {
  it('posts sub-tasks of the remote task through the hive, once each, with typed refusals; replay agrees', async () => {
    const dataDir = tempDir();
    const prefix = `s${process.pid}`;
    const hive = await openHive({ dataDir, logger: memoryLogger().logger, nats: { servers: nats.url, prefix, workerTimeoutMs: 5000 } });
    await hive.spawnAgent({ id: 'leafer', name: 'leafer', capabilities: ['leaf'], handler: async (t) => ({ leaf: t.input }) });
    await startFixtureWorker({ natsUrl: nats.url, prefix, id: 'w1' });
    await until(async () => (await hive.listAgents()).some((a) => a.id === 'w1' && a.status === 'idle'), 10_000);
    const specs: Json[] = [
      { type: 'leaf', input: 1 },
      { type: 'leaf', input: 2, idempotencyKey: 'mine' },
      { type: 'leaf', input: 3, priority: 'urgent-ish' },
    ];
    await hive.postTask({ id: 'parent', type: 'work', input: { children: specs } });
    const done = await hive.waitForTask('parent', { timeoutMs: 15_000 });
    expect(done.status).toBe('completed');
    const posted = (done.output as { posted: Array<string | { error: string; message: string }> }).posted;
    expect(posted).toHaveLength(3);
    expect(posted[2]).toMatchObject({ error: 'invalid_input', message: expect.stringMatching(/priority/) });
    const [first, second] = posted as [string, string];
    for (const [id, input, key] of [
      [first, 1, 'remote:parent:1:1'],
      [second, 2, 'mine'],
    ] as const) {
      const child = await hive.waitForTask(id, { timeoutMs: 10_000 });
      expect(child).toMatchObject({ status: 'completed', parentTaskId: 'parent', input, idempotencyKey: key, output: { leaf: input } });
    }
    // Asking again with the same call posts nothing new: the key names the attempt and the call.
    expect((await hive.listTasks({ type: 'leaf' })).map((t) => t.id).sort()).toEqual([first, second].sort());
    expect((await hive.postTask({ type: 'leaf', input: 1, idempotencyKey: 'remote:parent:1:1' })).id).toBe(first);
    await hive.close();
    await verifyReplay(dataDir);
  }, 60_000);
  it('waits for a signal: the attempt ends, the task waits, and the signal runs it again with the value; a timeout fails it', async () => {
    const dataDir = tempDir();
    const prefix = `g${process.pid}`;
    const hive = await openHive({ dataDir, logger: memoryLogger().logger, nats: { servers: nats.url, prefix, workerTimeoutMs: 5000 } });
    await startFixtureWorker({ natsUrl: nats.url, prefix, id: 'w1' });
    await until(async () => (await hive.listAgents()).some((a) => a.id === 'w1' && a.status === 'idle'), 10_000);
    await hive.postTask({ id: 'ask', type: 'work', input: { waitFor: 'approve' } });
    await until(async () => (await hive.getTask('ask')).status === 'waiting', 10_000);
    // The wait freed the worker's slot: it takes other work meanwhile.
    await until(async () => (await hive.listAgents()).some((a) => a.id === 'w1' && a.status === 'idle'), 10_000);
    await hive.signal('ask', 'approve', { ok: true });
    const done = await hive.waitForTask('ask', { timeoutMs: 15_000 });
    expect(done).toMatchObject({ status: 'completed', attempts: 2, output: { signal: { ok: true } } });
    await hive.postTask({ id: 'late', type: 'work', input: { waitFor: 'never', signalTimeoutMs: 200 }, maxRetries: 0 });
    const late = await hive.waitForTask('late', { timeoutMs: 15_000 });
    expect(late.status).toBe('failed');
    expect(late.error?.code).toBe('signal_timeout');
    await hive.close();
    await verifyReplay(dataDir);
  }, 60_000);
});
