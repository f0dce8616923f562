/** @module Handoff from a remote worker's attempt: not supported remotely, a typed error; the attempt carries on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../scripts/natsServer.js';
import { isHiveError, runWorker } from '../src/index.js';
import { memoryLogger, openHive } from './helpers.js';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe('ctx.handoff on a remote worker', () => {
  it('throws a ValidationError saying it is not available to remote workers, and the attempt completes', async () => {
    const prefix = `handoff${process.pid}`;
    const hive = await openHive({ nats: { servers: nats.url, prefix, workerTimeoutMs: 2000 } });
    await hive.spawnAgent({ id: 'local', name: 'local', capabilities: ['job'] });
    const worker = await runWorker({
      servers: nats.url,
      prefix,
      agent: { id: 'w1', capabilities: ['job'], maxConcurrent: 1 },
      handlers: {
        job: async (_t, ctx) => {
          const err = await ctx.handoff('local', { step: 1 }).then(
            () => undefined,
            (e: unknown) => e,
          );
          return isHiveError(err) ? { code: err.code, message: err.message, agent: ctx.agentId } : 'no error';
        },
      },
      logger: memoryLogger().logger,
      closeTimeoutMs: 200,
    });
    try {
      await hive.pauseAgent('local');
      const t = await hive.postTask({ type: 'job' });
      const done = await hive.waitForTask(t.id, { timeoutMs: 10_000 });
      expect(done).toMatchObject({ status: 'completed', attempts: 1, assignedTo: 'w1' });
      expect(done.output).toMatchObject({ code: 'invalid_input', agent: 'w1' });
      expect((done.output as { message: string }).message).toMatch(/handoff.*not available to remote workers/);
    } finally {
      await worker.close();
    }
  });
});
