import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { createHive, exportRecording, importRecording, openDataDir, openReplay, recordingVersion, TaskRejectedError, ValidationError } from '../src/index.js';
import { auditTrail } from '../src/inspect/auditTrail.js';
import { HiveStore } from '../src/store/HiveStore.js';
import { gate, memoryLogger, openHive, tempDir, until } from './helpers.js';

describe('audit log', () => {
  it('records auction awards and assignments with who decided, why and the outcome; logs them at the audit level', async () => {
    const { logger, lines } = memoryLogger();
    const hive = await openHive({ logger, handlers: { job: async () => null } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], bid: () => 4 });
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'], bid: () => 2 });
    await hive.postTask({ id: 'sold', type: 'job', assign: 'auction', auction: { windowMs: 30 } });
    await hive.waitForTask('sold', { timeoutMs: 5000 });
    await hive.postTask({ id: 'plain', type: 'job' });
    await hive.waitForTask('plain', { timeoutMs: 5000 });

    const sold = hive.audit({ target: 'task:sold' });
    expect(sold.map((r) => [r.type, r.actor, r.outcome])).toEqual([
      ['auction.award', 'auction:sold', 'awarded'],
      ['assign', 'auction:sold', 'assigned'],
    ]);
    expect(sold[0]!.details).toMatchObject({ agentId: 'a2', price: 2, round: 1, reason: 'lowest price 2 of 2 bids' });
    expect(sold[1]!.seq).toBe(sold[0]!.seq);
    expect(sold[1]!.index).toBe(sold[0]!.index + 1);
    const [plain] = hive.audit({ target: 'task:plain' });
    expect(plain).toMatchObject({ type: 'assign', actor: 'coordinator', action: 'hive.assign', target: 'task:plain', outcome: 'assigned' });
    expect(plain!.details.reason).toMatch(/direct rule/);
    expect(hive.audit({ type: 'auction.award' })).toHaveLength(1);
    expect(hive.audit({ since: plain!.at }).every((r) => r.at >= plain!.at)).toBe(true);
    expect(hive.audit({ limit: 1 })).toHaveLength(1);

    const logged = lines.filter((l) => l.level === 35);
    expect(logged.map((l) => (l.audit as { type: string }).type)).toEqual(['auction.award', 'assign', 'assign']);
  });

  it('records retries, rejections, cancellations, escalations and reassignments', async () => {
    let calls = 0;
    const hold = gate();
    const hive = await openHive({
      handlers: {
        flaky: async () => {
          if (++calls === 1) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
          return null;
        },
        picky: async (_t, ctx) => {
          if (ctx.agentId === 'p1') throw new TaskRejectedError('not my kind of work');
          return null;
        },
        slow: async (_t, ctx) => (ctx.agentId === 'h1' ? hold.promise.then(() => null) : null),
      },
    });
    await hive.spawnAgent({ id: 'f1', name: 'f1', capabilities: ['flaky'] });
    await hive.postTask({ id: 'retried', type: 'flaky', maxRetries: 1, backoffMs: 1 });
    await hive.waitForTask('retried', { timeoutMs: 5000 });
    expect(hive.audit({ target: 'task:retried', type: 'retry' })).toEqual([
      expect.objectContaining({ actor: 'task:retried', outcome: 'retrying', details: expect.objectContaining({ reason: 'ENOSPC: disk full', attempt: 1 }) }),
    ]);

    await hive.spawnAgent({ id: 'p1', name: 'p1', capabilities: ['picky'], priority: 'high' });
    await hive.spawnAgent({ id: 'p2', name: 'p2', capabilities: ['picky'] });
    await hive.postTask({ id: 'refused', type: 'picky' });
    await hive.waitForTask('refused', { timeoutMs: 5000 });
    expect(hive.audit({ type: 'reject' })).toEqual([
      expect.objectContaining({ actor: 'agent:p1', target: 'task:refused', outcome: 'pending', details: { reason: 'not my kind of work', attempt: 1 } }),
    ]);

    await hive.postTask({ id: 'dropped', type: 'nobody-does-this' });
    await hive.cancelTask('dropped', { by: 'ops' });
    expect(hive.audit({ type: 'cancel' })).toEqual([expect.objectContaining({ actor: 'ops', target: 'task:dropped', outcome: 'cancelled' })]);

    // h2 is there from the start, so h1's work always has a capable backup (without one it would be
    // suspended and escalated: a second escalate record, whatever the machine's load).
    await hive.spawnAgent({ id: 'h1', name: 'h1', capabilities: ['slow'], heartbeatMs: 300, priority: 'high' });
    await hive.spawnAgent({ id: 'h2', name: 'h2', capabilities: ['slow'] });
    await hive.postTask({ id: 'stuck', type: 'slow' });
    await until(async () => (await hive.getTask('stuck')).status === 'running');
    await hive.heartbeat('h1'); // arms its heartbeat timer; it never beats again
    await hive.waitForTask('stuck', { timeoutMs: 5000 });
    hold.open();
    expect(hive.audit({ type: 'escalate' })).toEqual([
      expect.objectContaining({ actor: 'agent:h1', target: 'agent:h1', details: expect.objectContaining({ taskIds: ['stuck'] }) }),
    ]);
    expect(hive.audit({ type: 'reassign' })).toEqual([expect.objectContaining({ target: 'task:stuck', outcome: 'requeued' })]);
    expect(hive.audit({ target: 'task:stuck', type: 'assign' }).map((r) => r.details.agentId)).toEqual(['h1', 'h2']);
  });

  it('is stored in LMDB with the checkpoint, survives a restart and is pruned with finished tasks', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: async () => null } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'] });
    for (const id of ['t1', 't2']) {
      await hive.postTask({ id, type: 'job' });
      await hive.waitForTask(id, { timeoutMs: 5000 });
    }
    const before = hive.audit();
    expect(before).toHaveLength(2);
    await hive.close();
    const reopened = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    try {
      expect(reopened.audit()).toEqual(before);
      await reopened.prune({ before: before[1]!.at + 1 });
      expect(reopened.audit()).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('answers one target from its index, the same as a full pass: as checkpoints add records, after pruning, and in a reader following the writer', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: async () => null }, checkpoint: { everyMs: 20 } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], maxConcurrent: 8, bid: () => 2 });
    const post = async (from: number, to: number) => {
      const ids = Array.from({ length: to - from }, (_, i) => `t${from + i}`);
      await hive.postTasks(
        ids.map((id, i) => (i % 5 === 0 ? { id, type: 'job', assign: 'auction' as const, auction: { windowMs: 10 } } : { id, type: 'job' })),
      );
      for (const id of ids) await hive.waitForTask(id, { timeoutMs: 10_000 });
      await hive.checkpoint();
    };
    const sameAsScan = (h: { audit: typeof hive.audit }, targets: string[]) => {
      const all = h.audit({ limit: 100_000 });
      for (const target of targets) expect(h.audit({ target }), target).toEqual(all.filter((r) => r.target === target));
    };
    const targets = ['task:t0', 'task:t1', 'task:t5', 'task:t44', 'task:t45', 'task:t99', 'agent:a1', 'task:none'];
    await post(0, 50);
    sameAsScan(hive, targets);
    // An auctioned task: one award per round (a busy winner means another round), then its assignment.
    const sold = (types: string[]) => types.length >= 2 && types.at(-1) === 'assign' && types.slice(0, -1).every((t) => t === 'auction.award');
    expect(sold(hive.audit({ target: 'task:t5' }).map((r) => r.type))).toBe(true);
    const reader = await openReplay(dir);
    try {
      const trail = (address: string) => auditTrail(reader, [], address, reader.lastSeq).records;
      expect(trail('task:t5')).toEqual(hive.audit({ target: 'task:t5' }));
      // Records stored after the index was built are caught up, in the hive and in the reader.
      await post(50, 100);
      sameAsScan(hive, targets);
      expect(trail('task:t99').map((r) => r.type)).toEqual(['assign']);
      expect(new Set(trail('auction:t95').map((r) => r.target))).toEqual(new Set(['task:t95']));
      expect(trail('task:t95')).toEqual(hive.audit({ target: 'task:t95' }));
      // Retention prunes the first fifty tasks and their records; the index drops them too.
      const cut = hive.audit({ target: 'task:t50' })[0]!.at;
      await hive.prune({ before: cut });
      await hive.checkpoint();
      sameAsScan(hive, targets);
      expect(hive.audit({ target: 'task:t5' })).toEqual([]);
      expect(hive.audit({ target: 'task:t99' })).toHaveLength(1);
      expect(trail('task:t5')).toEqual([]);
      expect(sold(trail('task:t95').map((r) => r.type))).toBe(true);
    } finally {
      await reader.close();
      await hive.close();
    }
  });

  it('a directory written before the audit log (format 3) opens read-only without it; a writer adds it and marks format 4', async () => {
    const dir = tempDir();
    const first = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: async () => null } });
    await first.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'] });
    await first.waitForTask((await first.postTask({ id: 't1', type: 'job' })).id, { timeoutMs: 5000 });
    await first.close();
    // What a format 3 directory looks like: no audit database.
    const root = open({ path: join(dir, 'hive.lmdb'), maxDbs: 16 });
    await root.openDB({ name: 'audit' }).drop();
    await root.openDB({ name: 'meta' }).put('format', 3);
    await root.close();
    const reader = HiveStore.open(dir, { readOnly: true });
    expect([...reader.auditRecords()]).toEqual([]);
    await reader.close();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: async () => null } });
    try {
      await hive.waitForTask((await hive.postTask({ id: 't2', type: 'job' })).id, { timeoutMs: 5000 });
      expect(hive.audit().map((r) => r.target)).toEqual(['task:t2']);
    } finally {
      await hive.close();
    }
    const after = open({ path: join(dir, 'hive.lmdb'), maxDbs: 16, readOnly: true });
    expect([...after.getKeys()].map(String)).toContain('audit');
    expect(after.openDB({ name: 'meta' }).get('format')).toBe(4);
    await after.close();
    const upgraded = HiveStore.open(dir, { readOnly: true });
    expect([...upgraded.auditRecords()].map((r) => r.target)).toEqual(['task:t2']);
    await upgraded.close();
  });

  it('travels in a recording: an imported recording has the same audit log; a version 2 recording keeps none', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: async () => null } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], bid: () => 3 });
    await hive.postTask({ id: 'sold', type: 'job', assign: 'auction', auction: { windowMs: 20 } });
    await hive.postTask({ id: 'plain', type: 'job' });
    for (const id of ['sold', 'plain']) await hive.waitForTask(id, { timeoutMs: 5000 });
    const live = hive.audit({ limit: 1000 });
    await hive.close();
    const src = openDataDir(dir);
    const file = join(tempDir(), 'run.ndjson');
    try {
      await exportRecording(src, file);
    } finally {
      await src.close();
    }
    expect(recordingVersion).toBe(3);
    const imported = await importRecording(file);
    const records = [...(imported.audit?.() ?? [])];
    const key = (r: { seq: number; index: number; type: string; target: string }) => [r.seq, r.index, r.type, r.target];
    const order = (a: (string | number)[], b: (string | number)[]) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number);
    expect(records.map(key)).toEqual(live.map(key).sort(order));
    expect(records.some((r) => r.type === 'auction.award' && r.target === 'task:sold')).toBe(true);
    // The same file as version 2 wrote it: no audit lines, header version 2.
    const v2 = join(tempDir(), 'v2.ndjson');
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('{"audit"'));
    lines[0] = lines[0]!.replace('"version":3', '"version":2');
    writeFileSync(v2, `${lines.join('\n')}\n`);
    const old = await importRecording(v2);
    expect(old.audit).toBeUndefined();
    expect(old.lastSeq()).toBe(imported.lastSeq());
  });

  it('refuses bad filters with a typed error', async () => {
    const hive = await openHive();
    expect(() => hive.audit({ type: 'sneeze' as 'assign' })).toThrow(ValidationError);
    expect(() => hive.audit({ since: -1 })).toThrow(/since/);
    expect(() => hive.audit({ limit: 0 })).toThrow(/limit/);
  });
});
