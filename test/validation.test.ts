import { describe, expect, it } from 'vitest';
import { createHive, HiveError, openReplay, startInspector, ValidationError } from '../src/index.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

describe('bad input', () => {
  it('each bad call throws a typed HiveError with a code and changes nothing', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.postTask({ id: 't', type: 'x' });
    const before = await hive.status();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const cases: Array<[string, () => Promise<unknown>, string, RegExp]> = [
      ['empty capabilities', () => hive.spawnAgent({ name: 'n', capabilities: [] }), 'invalid_input', /capabilities: must list at least one/],
      ['capabilities not array', () => hive.spawnAgent({ name: 'n', capabilities: 'x' as never }), 'invalid_input', /capabilities: must be an array/],
      [
        'bad agent priority',
        () => hive.spawnAgent({ name: 'n', capabilities: ['x'], priority: 'urgent' as never }),
        'invalid_input',
        /'normal', 'high' or 'critical'/,
      ],
      [
        'maxConcurrent 0',
        () => hive.spawnAgent({ name: 'n', capabilities: ['x'], maxConcurrent: 0 }),
        'invalid_input',
        /maxConcurrent: must be an integer from 1/,
      ],
      ['duplicate agent', () => hive.spawnAgent({ id: 'a', name: 'again', capabilities: ['x'] }), 'duplicate_id', /agent with id "a" already exists/],
      ['unknown parent', () => hive.spawnAgent({ name: 'n', capabilities: ['x'], parentId: 'ghost' }), 'not_found', /no agent with id "ghost"/],
      ['unknown option', () => hive.spawnAgent({ name: 'n', capabilities: ['x'], colour: 'red' } as never), 'invalid_input', /unknown option "colour"/],
      [
        'negative priority',
        () => hive.postTask({ type: 'x', priority: -1 }),
        'invalid_input',
        /priority: must be 'normal', 'high', 'critical' or an integer from 0/,
      ],
      ['missing type', () => hive.postTask({} as never), 'invalid_input', /type: must be a non-empty string/],
      ['function input', () => hive.postTask({ type: 'x', input: (() => 1) as never }), 'invalid_input', /input: must be JSON: input is a function/],
      ['NaN input', () => hive.postTask({ type: 'x', input: { n: Number.NaN } }), 'invalid_input', /input.n is NaN/],
      ['cyclic input', () => hive.postTask({ type: 'x', input: cyclic as never }), 'invalid_input', /cycle/],
      ['deep input', () => hive.postTask({ type: 'x', input: deep as never }), 'invalid_input', /nested deeper than 64/],
      ['huge input', () => hive.postTask({ type: 'x', input: 'y'.repeat(2 * 1024 * 1024) }), 'invalid_input', /at most 1048576 are allowed/],
      ['lone surrogate', () => hive.postTask({ type: 'x', input: { s: 'a\uD800b' } }), 'invalid_input', /input.s has a lone surrogate/],
      [
        '__proto__ key',
        () => hive.postTask({ type: 'x', input: JSON.parse('{"__proto__": {"admin": true}}') }),
        'invalid_input',
        /must not use the key "__proto__"/,
      ],
      ['surrogate in type', () => hive.postTask({ type: 'x\uDC00' }), 'invalid_input', /well-formed Unicode/],
      ['date input', () => hive.postTask({ type: 'x', input: new Date() as never }), 'invalid_input', /Date, not a plain object/],
      ['duplicate task', () => hive.postTask({ id: 't', type: 'x' }), 'duplicate_id', /task with id "t" already exists/],
      [
        'duplicate in batch',
        () =>
          hive.postTasks([
            { id: 'u', type: 'x' },
            { id: 'u', type: 'x' },
          ]),
        'duplicate_id',
        /"u"/,
      ],
      ['unknown dependency', () => hive.postTask({ type: 'x', dependsOn: ['nope'] }), 'not_found', /no task with id "nope"/],
      ['bad id', () => hive.postTask({ id: 'has space', type: 'x' }), 'invalid_input', /id: must be 1-200 characters/],
      ['bad timeout', () => hive.postTask({ type: 'x', timeoutMs: 0 }), 'invalid_input', /timeoutMs: must be an integer from 1/],
      ['bad maxRetries', () => hive.postTask({ type: 'x', maxRetries: 1.5 }), 'invalid_input', /maxRetries/],
      ['empty batch', () => hive.postTasks([]), 'invalid_input', /non-empty array/],
      ['unknown task', () => hive.getTask('missing'), 'not_found', /no task with id "missing"/],
      ['unknown agent', () => hive.getAgent('missing'), 'not_found', /no agent with id "missing"/],
      ['cancel unknown', () => hive.cancelTask('missing'), 'not_found', /missing/],
      ['pause unknown', () => hive.pauseAgent('missing'), 'not_found', /missing/],
      ['bad limit', () => hive.listTasks({ limit: -5 }), 'invalid_input', /limit: must be an integer from 1/],
      ['bad wait timeout', () => hive.waitForTask('t', { timeoutMs: -1 }), 'invalid_input', /timeoutMs/],
    ];
    for (const [name, call, code, message] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(HiveError);
      expect((err as HiveError).code, name).toBe(code);
      expect((err as HiveError).message, name).toMatch(message);
    }
    expect(await hive.status()).toEqual(before);
  });

  it('createHive refuses unknown options', async () => {
    await expect(createHive({ dataDir: tempDir(), checkpoint: { every: 5 } } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('openReplay and startInspector refuse bad options by name, before opening anything', async () => {
    const dir = tempDir();
    await (await openHive({ dataDir: dir })).close();
    await expect(openReplay(dir, { seekEvry: 5 } as never)).rejects.toThrow(/openReplay: unknown option "seekEvry"; allowed: machines, seekEvery/);
    await expect(openReplay(dir, { seekEvery: 0 })).rejects.toThrow(/seekEvery: must be an integer from 1/);
    await expect(openReplay(dir, { machines: { task: {} } } as never)).rejects.toThrow(/machines\.task: must be an XState machine/);
    await expect(openReplay(dir, { machines: { robot: {} } } as never)).rejects.toThrow(/machines: unknown option "robot"; allowed: .*task/);
    const replay = await openReplay(dir);
    try {
      await expect(startInspector({ replay }, { port: 70000 })).rejects.toThrow(/inspect\.port: must be an integer from 0 to 65535/);
      await expect(startInspector({ replay }, { tokn: 'x' } as never)).rejects.toThrow(/unknown option "tokn"/);
    } finally {
      await replay.close();
    }
  });

  it('every call after close throws hive_closed', async () => {
    const hive = await createHive({ dataDir: tempDir(), logger: memoryLogger().logger });
    await hive.close();
    await hive.close(); // idempotent
    await expect(hive.postTask({ type: 'x' })).rejects.toMatchObject({ code: 'hive_closed' });
    await expect(hive.spawnAgent({ name: 'n', capabilities: ['x'] })).rejects.toMatchObject({ code: 'hive_closed' });
    await expect(hive.cancelTask('x')).rejects.toMatchObject({ code: 'hive_closed' });
    await expect(hive.attachHandler('x', async () => null)).rejects.toMatchObject({ code: 'hive_closed' });
  });

  it('a throwing getter or a Proxy anywhere in a spec is a ValidationError naming the field, and creates nothing', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const before = await hive.status();
    const boom = () => {
      throw new Error('boom');
    };
    const getter = <T extends object>(o: T, key: string): T => Object.defineProperty(o, key, { get: boom, enumerable: true });
    const trap = <T extends object>(target: T): T =>
      new Proxy(target, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom, has: boom });
    const revoked = () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    };
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      ['task getter', () => hive.postTask(getter({ type: 'x' }, 'input') as never), 'input'],
      ['task type getter', () => hive.postTask(getter({ input: 1 }, 'type') as never), 'type'],
      ['idempotencyKey getter', () => hive.postTask(getter({ type: 'x' }, 'idempotencyKey') as never), 'idempotencyKey'],
      ['task proxy', () => hive.postTask(trap({ type: 'x' }) as never), 'postTask'],
      ['revoked task proxy', () => hive.postTask(revoked() as never), 'postTask'],
      ['batch proxy', () => hive.postTasks(trap([{ type: 'x' }]) as never), 'postTasks'],
      ['batch member proxy', () => hive.postTasks([{ type: 'x' }, trap({ type: 'x' }) as never]), 'tasks[1]'],
      ['dependsOn proxy', () => hive.postTask({ type: 'x', dependsOn: trap(['a']) }), 'dependsOn'],
      ['dependsOn getter', () => hive.postTask({ type: 'x', dependsOn: getter(['a'], '0') }), 'dependsOn[0]'],
      ['input proxy', () => hive.postTask({ type: 'x', input: trap({ a: 1 }) as never }), 'input'],
      ['nested input getter', () => hive.postTask({ type: 'x', input: { a: [1, getter({}, 'b')] } as never }), 'input'],
      ['nested input proxy', () => hive.postTask({ type: 'x', input: { a: trap([1]) } as never }), 'input'],
      ['agent getter', () => hive.spawnAgent(getter({ name: 'n' }, 'capabilities') as never), 'capabilities'],
      ['agent proxy', () => hive.spawnAgent(trap({ name: 'n', capabilities: ['x'] }) as never), 'spawnAgent'],
      ['capabilities proxy', () => hive.spawnAgent({ name: 'n', capabilities: trap(['x']) }), 'capabilities'],
      ['revoked capabilities', () => hive.spawnAgent({ name: 'n', capabilities: revoked() as never }), 'capabilities'],
    ];
    for (const [name, call, field] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field, name).toBe(field);
      expect((err as ValidationError).message, name).toMatch(/boom|revoked|cannot be read/);
    }
    expect(await hive.status()).toEqual(before);
  });
});
