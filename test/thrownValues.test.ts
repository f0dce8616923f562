import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handler, Verifier } from '../src/index.js';
import { openHive, sleep, tempDir } from './helpers.js';

const cyclic = () => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};
const hostile = () =>
  new Proxy(
    {},
    {
      get: () => {
        throw new Error('get trap');
      },
      getPrototypeOf: () => {
        throw new Error('getPrototypeOf trap');
      },
      ownKeys: () => {
        throw new Error('ownKeys trap');
      },
      has: () => {
        throw new Error('has trap');
      },
      getOwnPropertyDescriptor: () => {
        throw new Error('getOwnPropertyDescriptor trap');
      },
    },
  );
const throwingGetter = (key: 'message' | 'name' | 'code') => {
  const e = new Error('x');
  Object.defineProperty(e, key, {
    get() {
      throw new Error(`${key} getter`);
    },
  });
  return e;
};

/** Every kind of thrown value that once made describing it throw. */
const thrown: Record<string, () => unknown> = {
  cyclic,
  bigint: () => 10n,
  tojson: () => ({
    toJSON() {
      throw new Error('toJSON refuses');
    },
  }),
  message: () => throwingGetter('message'),
  name: () => throwingGetter('name'),
  code: () => throwingGetter('code'),
  noproto: () => Object.create(null),
  proxy: hostile,
  symbol: () => Symbol('s'),
  huge: () => new Error('m'.repeat(5_000_000)),
};

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);
beforeEach(() => {
  rejections.length = 0;
  process.on('unhandledRejection', onRejection);
});
afterEach(() => void process.off('unhandledRejection', onRejection));

describe('thrown values', () => {
  it('any value a handler throws fails the attempt with a safe description, and reopening finds it failed', async () => {
    const dir = tempDir();
    const handlers: Record<string, Handler> = {};
    for (const [kind, make] of Object.entries(thrown)) {
      handlers[kind] = () => {
        throw make();
      };
    }
    const hive = await openHive({ dataDir: dir, handlers });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: Object.keys(thrown), maxConcurrent: 20, failureThreshold: 1000 });
    for (const kind of Object.keys(thrown)) await hive.postTask({ id: kind, type: kind, maxRetries: 0 });
    for (const kind of Object.keys(thrown)) {
      const t = await hive.waitForTask(kind, { timeoutMs: 3000 });
      expect(t.status, kind).toBe('failed');
      expect(t.error!.code, kind).toMatch(/^[a-z_]+$/);
      expect(t.error!.message.length, kind).toBeGreaterThan(0);
      expect(t.error!.message.length, kind).toBeLessThanOrEqual(10_000);
    }
    expect((await hive.getTask('bigint')).error!.message).toContain('10');
    expect((await hive.getTask('cyclic')).error!.message).toContain('self');
    await sleep(50);
    expect(rejections).toEqual([]);
    await hive.close();

    const again = await openHive({ dataDir: dir, handlers });
    for (const kind of Object.keys(thrown)) expect((await again.getTask(kind)).status, kind).toBe('failed');
    await sleep(50);
    expect(rejections).toEqual([]);
  });

  it('any value a verifier throws or returns fails verification with a reason', async () => {
    const verifiers: Record<string, Verifier> = {};
    for (const [kind, make] of Object.entries(thrown)) {
      verifiers[kind] = () => {
        throw make();
      };
    }
    verifiers.verdictProxy = () => hostile() as never;
    verifiers.verdictGetter = () =>
      ({
        get ok() {
          throw new Error('ok getter');
        },
      }) as never;
    verifiers.reasonGetter = () =>
      ({
        ok: false,
        get reason() {
          throw new Error('reason getter');
        },
      }) as never;
    const types = Object.keys(verifiers);
    const handlers: Record<string, Handler> = Object.fromEntries(types.map((k) => [k, () => 'done']));
    const hive = await openHive({ handlers, verifiers });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: types, maxConcurrent: 20, failureThreshold: 1000 });
    for (const kind of types) await hive.postTask({ id: kind, type: kind, verify: true, maxRetries: 0 });
    for (const kind of types) {
      const t = await hive.waitForTask(kind, { timeoutMs: 3000 });
      expect(t.status, kind).toBe('failed');
      expect(t.error, kind).toMatchObject({ code: 'verification_failed', message: expect.any(String) });
      expect(t.error!.message.length, kind).toBeLessThanOrEqual(10_000);
    }
    await sleep(50);
    expect(rejections).toEqual([]);
  });
});
