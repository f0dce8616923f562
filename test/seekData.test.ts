import { cpSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { exportRecording, ManualClock, memorySource, openDataDir, openReplay, type Json, type JournalRecord, type Replay } from '../src/index.js';
import { taskMachine } from '../machines/task.js';
import { HiveStore } from '../src/store/HiveStore.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

/** A run with retries, dependencies, timeouts, cancels and pauses; checkpoints every 7 inputs. */
async function busyRun(dir: string) {
  let n = 0;
  const hive = await openHive({
    dataDir: dir,
    checkpoint: { everyInputs: 7, everyMs: 86_400_000 },
    handlers: {
      x: async (t, ctx) => {
        if ((t.input as number) % 4 === 0) await ctx.progress(50, 'half');
        if ((t.input as number) % 5 === 0 && ctx.attempt === 1) throw new Error('flaky');
        return ++n;
      },
    },
  });
  await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], maxConcurrent: 2 });
  await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['x'], priority: 'high' });
  for (let i = 0; i < 30; i += 3) {
    const ts = await hive.postTasks([
      { id: `p${i}`, type: 'x', input: i, maxRetries: 1, backoffMs: 0 },
      { id: `p${i + 1}`, type: 'x', input: i + 1, dependsOn: [`p${i}`] },
      { id: `p${i + 2}`, type: 'x', input: i + 2, priority: 'high' },
    ]);
    if (i === 9) await hive.pauseAgent('b');
    if (i === 15) await hive.resumeAgent('b');
    for (const t of ts) await hive.waitForTask(t.id, { timeoutMs: 5000 });
  }
  return hive;
}

/** Every actor at `seq` in both replays is the same. */
async function sameAt(a: Replay, b: Replay, seq: number): Promise<void> {
  expect(await a.seek(seq)).toBe(seq);
  expect(await b.seek(seq)).toBe(seq);
  expect(a.actors(), `at input ${seq}`).toEqual(b.actors());
}

function randomSeqs(from: number, to: number, n: number): number[] {
  let x = 7;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return from + (x % (to - from + 1));
  });
}

describe('seek data', () => {
  it('starts seeks from the checkpoints the hive stored, matching a full replay at random points', async () => {
    const dir = tempDir();
    await (await busyRun(dir)).close();
    const stored = await openReplay(dir);
    const full = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)), { seekEvery: 1_000_000 });
    try {
      expect(stored.storedSeekData).toBe(true);
      expect(full.storedSeekData).toBe(false);
      const store = HiveStore.open(dir, { readOnly: true });
      expect(stored.seekPoints.at(-1)).toBe(store.checkpoint()!.seq);
      await store.close();
      expect(stored.seekPoints.length).toBeGreaterThan(8);
      for (const seq of [...randomSeqs(0, stored.lastSeq, 40), 0, stored.lastSeq, ...stored.seekPoints]) await sameAt(stored, full, seq);
      // A changed machine replays from the start: the stored points hold the recorded machines' states.
      const changed = await openReplay(dir, { machines: { task: taskMachine } });
      expect(changed.storedSeekData).toBe(false);
      await changed.close();
    } finally {
      await stored.close();
    }
  });

  it('restores every actor kind, timers and trigger keys: schedules, rate limits, colonies, workers, idempotent triggers, auctions, the learner', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const hive = await openHive({
      dataDir: dir,
      clock,
      checkpoint: { everyInputs: 3, everyMs: 86_400_000 },
      rateLimits: { job: { max: 2, perMs: 1000 } },
      idempotency: { ttlMs: 10_000, max: 3 },
      handlers: { job: async (t) => t.id, sale: async (t) => t.id },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'], maxConcurrent: 2 });
    await hive.spawnAgent({ id: 's1', name: 's1', capabilities: ['sale'], bid: (_t, stats) => 5 + stats.wins });
    await hive.spawnAgent({ id: 's2', name: 's2', capabilities: ['sale'], bid: () => 6 });
    await hive.schedule({ id: 'tick', every: 1000, overlap: 'queue', task: { type: 'job' } });
    const colony = await hive.spawnColony({ id: 'c', name: 'c', handler: async (job: { input: unknown }) => job.input as Json });
    await colony.addTrigger({ id: 'run', kind: 'api', task: 'run' });
    const posted: string[] = [];
    for (let i = 0; i < 6; i++) {
      await colony.waitForReports([await colony.trigger('run', i, { idempotencyKey: `k${i % 3}` })]);
      await colony.waitForReports(await colony.spawn('job', { count: 2 }));
      posted.push((await hive.postTask({ type: 'job' })).id);
      // Auctioned: open across the checkpoints of the inputs that follow, closed by the clock.
      posted.push((await hive.postTask({ type: 'sale', assign: 'auction', auction: { windowMs: 500 } })).id);
      await new Promise((r) => setTimeout(r, 20));
      // In two steps: a host timer armed while the first step's firings are journaled fires on the next.
      clock.advance(500);
      await new Promise((r) => setTimeout(r, 20));
      clock.advance(500);
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const id of posted) await hive.waitForTask(id, { timeoutMs: 5000 });
    await hive.close();
    const stored = await openReplay(dir);
    const full = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)), { seekEvery: 1_000_000 });
    try {
      expect(stored.storedSeekData).toBe(true);
      for (let seq = 0; seq <= stored.lastSeq; seq++) await sameAt(stored, full, seq);
      const kinds = new Set(stored.actors().map((a) => a.kind));
      expect([...kinds]).toEqual(expect.arrayContaining(['schedule', 'ratelimit', 'colony', 'worker', 'task', 'agent', 'learner']));
      // Auctions are live only while open: some point has one.
      let sawAuction = false;
      for (let seq = 0; seq <= stored.lastSeq && !sawAuction; seq++) {
        await stored.seek(seq);
        sawAuction = stored.actors().some((a) => a.kind === 'auction');
      }
      expect(sawAuction).toBe(true);
      await stored.seek(stored.lastSeq);
      for (const { address } of stored.actors()) expect(await stored.history(address), address).toEqual(await full.history(address));
    } finally {
      await stored.close();
    }
  });

  it('reads the seek data of a directory a live hive is writing', async () => {
    const dir = tempDir();
    const hive = await busyRun(dir);
    const stored = await openReplay(dir);
    try {
      await hive.waitForTask((await hive.postTask({ id: 'more', type: 'x', input: 1 })).id, { timeoutMs: 5000 });
      const full = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
      for (const seq of randomSeqs(1, stored.lastSeq, 15)) await sameAt(stored, full, seq);
      await sameAt(stored, full, stored.lastSeq);
      expect(stored.actor('task:more')?.status).toBe('completed');
    } finally {
      await stored.close();
    }
  });

  it('travels in recordings: an imported recording seeks and reads histories without a pass over its journal', async () => {
    const dir = tempDir();
    await (await busyRun(dir)).close();
    const file = join(tempDir(), 'run.ndjson');
    const src = openDataDir(dir);
    await exportRecording(src, file);
    await src.close();
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/"version":3/);
    expect(text).toMatch(/^\{"seekStart":0,"historyStart":\d+\}$/m);
    const fromDir = await openReplay(dir);
    const fromFile = await openReplay(file);
    try {
      expect(fromFile.storedSeekData).toBe(true);
      expect(fromFile.seekPoints).toEqual(fromDir.seekPoints);
      for (const seq of randomSeqs(0, fromDir.lastSeq, 20)) await sameAt(fromFile, fromDir, seq);
      for (const address of ['agent:a', 'agent:b', 'task:p0', 'task:p13'])
        expect(await fromFile.history(address), address).toEqual(await fromDir.history(address));
      // A recording written before seek data existed (version 1: no seek lines) still replays, by building points.
      const v1 = join(tempDir(), 'v1.ndjson');
      writeFileSync(
        v1,
        text
          .split('\n')
          .filter((l) => !/^\{"(seekStart|seek|chunk|segment|retired|audit)"/.test(l))
          .join('\n')
          .replace('"version":3', '"version":1'),
      );
      const old = await openReplay(v1);
      expect(old.storedSeekData).toBe(false);
      for (const seq of randomSeqs(0, fromDir.lastSeq, 10)) await sameAt(old, fromDir, seq);
      expect(await old.history('agent:a')).toEqual(await fromDir.history('agent:a'));
    } finally {
      await fromDir.close();
      await fromFile.close();
    }
  });

  it('replays a directory written before seek data existed by building seek points, and a writer adds them', async () => {
    const dir = tempDir();
    await (await busyRun(dir)).close();
    const before = await openReplay(dir);
    const journal = before.inputs(0, Number.MAX_SAFE_INTEGER);
    await before.close();
    // What a data directory of format 2 (before seek data) looks like.
    const root = open({ path: join(dir, 'hive.lmdb'), maxDbs: 16 });
    for (const name of ['seek', 'chunks', 'segments', 'retired', 'blobs']) await root.openDB({ name }).drop();
    await root.openDB({ name: 'meta' }).put('format', 2);
    await root.openDB({ name: 'meta' }).remove('seekStart');
    await root.close();
    const legacy = await openReplay(dir);
    const full = await openReplay(memorySource('journal only', journal));
    try {
      expect(legacy.storedSeekData).toBe(false);
      for (const seq of randomSeqs(0, legacy.lastSeq, 10)) await sameAt(legacy, full, seq);
      expect(await legacy.history('task:p4')).toEqual(await full.history('task:p4'));
    } finally {
      await legacy.close();
    }
    // A writer upgrades it (to format 4: seek data and the audit log); seek data starts at its first checkpoint, so replay still
    // builds points until a compaction leaves no input before that.
    const hive = await openHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { x: async () => 1 } });
    await hive.waitForTask((await hive.postTask({ id: 'after', type: 'x', input: 1 })).id, { timeoutMs: 5000 });
    await hive.close();
    const store = HiveStore.open(dir, { readOnly: true });
    expect(store.seek.start()).toBeGreaterThan(journal.length - 1);
    await store.close();
    const upgraded = await openReplay(dir);
    try {
      expect(upgraded.storedSeekData).toBe(false);
      await upgraded.seek(upgraded.lastSeq);
      expect(upgraded.actor('task:after')?.status).toBe('completed');
    } finally {
      await upgraded.close();
    }
  });

  it('is reclaimed by prune({ compactJournal: true }) with the journal, keeping the points the kept journal can replay from', async () => {
    const dir = tempDir();
    await (await busyRun(dir)).close();
    const copy = join(tempDir(), 'copy');
    cpSync(dir, copy, { recursive: true });
    const recorded = await openReplay(dir);
    const journal: JournalRecord[] = recorded.inputs(0, Number.MAX_SAFE_INTEGER);
    await recorded.close();
    const sizes = () => {
      const s = HiveStore.open(dir, { readOnly: true });
      const out = { ...s.seek.sizes(), journal: s.journalBytes(), journalStart: s.journalStart() };
      void s.close();
      return out;
    };
    // Compact the first half of the run (by time): the points the kept half replays from stay.
    const middle = journal[Math.floor(journal.length / 2)]!.at;
    const hive = await openHive({ dataDir: dir, logger: memoryLogger().logger });
    await hive.prune({ before: middle, compactJournal: true });
    await hive.close();
    const after = sizes();
    expect(after.journalStart).toBeGreaterThan(1);
    // The new first point was a delta: it was rewritten as a full (the deltas after it now start from it).
    const original = HiveStore.open(copy, { readOnly: true });
    const newStart = HiveStore.open(dir, { readOnly: true });
    const firstPoint = newStart.seek.start()!;
    expect(original.seek.entry(firstPoint)!.base).toBeLessThan(firstPoint);
    expect(newStart.seek.entry(firstPoint)!.base).toBe(firstPoint);
    await original.close();
    await newStart.close();
    const compacted = await openReplay(dir);
    const full = await openReplay(memorySource('journal only', [...journal, ...compacted.inputs(journal.length, compacted.lastSeq)]));
    try {
      expect(compacted.storedSeekData).toBe(true);
      expect(compacted.firstSeq).toBeGreaterThanOrEqual(after.journalStart - 1);
      expect(compacted.firstSeq).toBeLessThan(journal.length);
      expect(await compacted.seek(0)).toBe(compacted.firstSeq);
      for (const seq of [compacted.firstSeq, ...randomSeqs(compacted.firstSeq, journal.length, 12)]) await sameAt(compacted, full, seq);
      // Histories start at the new first point.
      const agent = await compacted.history('agent:a');
      expect(agent[0]!.seq).toBeGreaterThan(compacted.firstSeq);
      expect(agent).toEqual((await full.history('agent:a')).filter((e) => e.seq > compacted.firstSeq));
    } finally {
      await compacted.close();
    }

    // Compacting everything leaves a single full point at the prune's checkpoint.
    const again = await openHive({ dataDir: copy, logger: memoryLogger().logger });
    const store = () => HiveStore.open(copy, { readOnly: true });
    const before = store();
    const beforeSizes = { ...before.seek.sizes(), journal: before.journalBytes() };
    await before.close();
    await again.prune({ before: Date.now() + 1, compactJournal: true });
    await again.close();
    const emptied = store();
    const emptiedSizes = { ...emptied.seek.sizes(), journal: emptied.journalBytes() };
    const points = [...emptied.seek.points(-1, Number.MAX_SAFE_INTEGER)];
    await emptied.close();
    expect(points).toHaveLength(1);
    expect(emptiedSizes.history + emptiedSizes.retired).toBeLessThan((beforeSizes.history + beforeSizes.retired) / 2);
    // The copies of the tasks this prune deleted went with the journal that needed them.
    expect(emptiedSizes.retired).toBe(0);
    expect(emptiedSizes.journal).toBeLessThan(beforeSizes.journal);
    const last = await openReplay(copy);
    try {
      expect(last.firstSeq).toBe(points[0]);
      expect(last.actors().filter((a) => a.kind === 'task')).toEqual([]);
    } finally {
      await last.close();
    }
  });
});
