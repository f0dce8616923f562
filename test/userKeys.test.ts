import { describe, expect, it } from 'vitest';
import { createReadModels, isHiveError, readModelView } from '../src/index.js';
import { openHive, sleep } from './helpers.js';

/** Names that are members of Object.prototype: a lookup by `[name]` on a plain object finds built-ins. */
const builtins = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf'];

describe('user strings used as keys', () => {
  it('task types named after Object.prototype members find no handler or verifier but their own', async () => {
    const hive = await openHive({ handlers: { echo: (t) => t.input } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: builtins, maxConcurrent: 20, failureThreshold: 1000 });
    for (const type of builtins) await hive.postTask({ id: `t-${type.replace(/_/g, '')}`, type, maxRetries: 0 });
    await sleep(200);
    for (const type of builtins) {
      // No handler is registered for these types: the task waits for one instead of running a built-in.
      expect(await hive.getTask(`t-${type.replace(/_/g, '')}`), type).toMatchObject({ status: 'pending', waitingFor: 'handler' });
    }
    await hive.attachHandler('a', (t) => `ran ${t.type}`);
    for (const type of builtins) {
      expect(await hive.waitForTask(`t-${type.replace(/_/g, '')}`, { timeoutMs: 5000 }), type).toMatchObject({ status: 'completed', output: `ran ${type}` });
    }
    for (const type of builtins) {
      const t = await hive.postTask({ type, verify: true, maxRetries: 0 });
      expect(await hive.waitForTask(t.id, { timeoutMs: 5000 }), type).toMatchObject({
        status: 'failed',
        error: { code: 'verification_failed', message: expect.stringContaining('no verifier is registered') },
      });
    }
  });

  it('a priority named after an Object.prototype member is refused', async () => {
    const hive = await openHive();
    for (const priority of builtins) {
      const err = await hive.postTask({ type: 'x', priority: priority as never }).catch((e: unknown) => e);
      expect(isHiveError(err, 'invalid_input'), priority).toBe(true);
    }
    expect(await hive.listTasks()).toEqual([]);
  });

  it('the inspector read models count tasks and agents whose ids are Object.prototype members', async () => {
    const hive = await openHive({ handlers: { x: () => 'ok' } });
    const models = createReadModels();
    hive.inspect((record) => models.trigger.record({ record }));
    await hive.spawnAgent({ id: 'valueOf', name: 'a', capabilities: ['x'] });
    for (const id of ['constructor', 'toString', 'hasOwnProperty']) await hive.waitForTask((await hive.postTask({ id, type: 'x' })).id, { timeoutMs: 5000 });
    const ctx = readModelView(models.getSnapshot().context);
    expect(ctx.tasksByStatus).toEqual({ completed: 3 });
    expect(ctx.agentsByStatus).toEqual({ idle: 1 });
    expect(ctx.agents.valueOf).toMatchObject({ status: 'idle', load: 0, succeeded: 3 });
  });
});
