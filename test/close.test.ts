import { describe, expect, it } from 'vitest';
import { isHiveError, type Handler } from '../src/index.js';
import { openHive, sleep, tempDir, until } from './helpers.js';

describe('close', () => {
  it('returns after timeoutMs while a handler ignores its abort signal; the attempt is re-dispatched on the next open', async () => {
    const dir = tempDir();
    let late = false;
    const stubborn: Handler = async () => {
      await sleep(1500);
      late = true;
      return 'too late';
    };
    const hive = await openHive({ dataDir: dir, handlers: { x: stubborn } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const t = await hive.postTask({ id: 't', type: 'x' });
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    const started = Date.now();
    const closed = await Promise.race([hive.close({ timeoutMs: 200 }).then(() => true), sleep(1000).then(() => false)]);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);

    // The lock is released: the directory opens again while the abandoned handler still runs.
    const again = await openHive({ dataDir: dir, handlers: { x: (_task, ctx) => `attempt ${ctx.attempt}` } });
    expect(late).toBe(false);
    const done = await again.waitForTask('t', { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'completed', output: 'attempt 2', redispatches: 1 });
    // The abandoned attempt's outcome is dropped, not journaled into the reopened hive.
    await until(() => late, 3000);
    await sleep(50);
    expect(await again.getTask('t')).toMatchObject({ status: 'completed', output: 'attempt 2' });
  });

  it('has a default timeout of a few seconds', async () => {
    const hive = await openHive({ handlers: { x: () => new Promise(() => undefined) } });
    await hive.spawnAgent({ name: 'a', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x' });
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    const started = Date.now();
    const closed = await Promise.race([hive.close().then(() => true), sleep(8000).then(() => false)]);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
  }, 15_000);

  it('refuses a bad timeoutMs with a typed error', async () => {
    const hive = await openHive();
    for (const bad of [-1, 1.5, 'x', Infinity]) {
      const err = await hive.close({ timeoutMs: bad as never }).catch((e: unknown) => e);
      expect(isHiveError(err, 'invalid_input'), String(bad)).toBe(true);
    }
    const err = await hive.close({ wait: 1 } as never).catch((e: unknown) => e);
    expect(isHiveError(err, 'invalid_input')).toBe(true);
    await hive.close({ timeoutMs: 0 });
  });
});
