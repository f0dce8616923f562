/** @module Schedules: `hive.schedule` posts a task per slot (every ms or cron), durably, never twice for one slot. */
import { describe, expect, it } from 'vitest';
import { createHive, isHiveError, ManualClock, type Hive } from '../src/index.js';
import { memoryLogger, openHive, tempDir, until, verifyReplay } from './helpers.js';

const t0 = Date.UTC(2025, 0, 1, 0, 0, 0);

/** Lets the journal commit what timers fired. */
const tick = async (clock: ManualClock, ms: number) => {
  clock.advance(ms);
  await new Promise((r) => setTimeout(r, 15));
};

const ids = async (hive: Hive) => (await hive.listTasks({ type: 'report' })).map((t) => t.id).sort();

describe('schedules', () => {
  it('posts one task per `every` slot, named after the slot; lists, pauses, resumes and removes', async () => {
    const clock = new ManualClock(t0 + 500);
    const hive = await openHive({ clock, handlers: { report: async (t) => t.input } });
    await hive.spawnAgent({ name: 'r', capabilities: ['report'] });
    const s = await hive.schedule({ id: 'minutely', every: 60_000, task: { type: 'report', input: { kind: 'usage' }, priority: 'high' } });
    expect(s).toMatchObject({
      id: 'minutely',
      status: 'active',
      every: 60_000,
      overlap: 'skip',
      nextAt: t0 + 60_000,
      fired: 0,
      task: { type: 'report', priority: 5 },
    });
    await tick(clock, 59_499);
    expect(await ids(hive)).toEqual([]);
    await tick(clock, 1);
    await until(async () => (await ids(hive)).length === 1);
    const first = await hive.getTask('minutely@2025-01-01T00:01:00.000Z');
    expect(first).toMatchObject({ type: 'report', priority: 5, input: { kind: 'usage' } });
    await hive.waitForTask(first.id, { timeoutMs: 2000 });
    await tick(clock, 60_000);
    await until(async () => (await ids(hive)).length === 2);
    expect(await hive.getSchedule('minutely')).toMatchObject({
      fired: 2,
      lastSlot: t0 + 120_000,
      lastTaskId: 'minutely@2025-01-01T00:02:00.000Z',
      nextAt: t0 + 180_000,
    });

    expect(await hive.pauseSchedule('minutely')).toMatchObject({ status: 'paused' });
    expect((await hive.getSchedule('minutely')).nextAt).toBeUndefined();
    await tick(clock, 180_000);
    expect(await ids(hive)).toHaveLength(2);
    expect(await hive.resumeSchedule('minutely')).toMatchObject({ status: 'active', nextAt: t0 + 360_000 });
    expect((await hive.schedules()).map((x) => x.id)).toEqual(['minutely']);
    expect(await hive.removeSchedule('minutely')).toMatchObject({ status: 'removed' });
    await tick(clock, 120_000);
    expect(await ids(hive)).toHaveLength(2);
    expect(await hive.schedules()).toEqual([]);
    expect(isHiveError(await hive.getSchedule('minutely').catch((e) => e), 'not_found')).toBe(true);
    expect(isHiveError(await hive.pauseSchedule('minutely').catch((e) => e), 'not_found')).toBe(true);
  });

  it('follows a cron pattern in UTC (or a given time zone)', async () => {
    const clock = new ManualClock(t0);
    const hive = await openHive({ clock });
    const utc = await hive.schedule({ id: 'nightly', cron: '0 3 * * *', task: { type: 'report' } });
    expect(utc.nextAt).toBe(Date.UTC(2025, 0, 1, 3, 0, 0));
    const tokyo = await hive.schedule({ id: 'tokyo', cron: '0 3 * * *', timezone: 'Asia/Tokyo', task: { type: 'report' } });
    expect(tokyo.nextAt).toBe(Date.UTC(2025, 0, 1, 18, 0, 0)); // 03:00 in Tokyo is 18:00 UTC the day before
    const secs = await hive.schedule({ id: 'secs', cron: '*/10 * * * * *', task: { type: 'report' } });
    expect(secs.nextAt).toBe(t0 + 10_000);
    await hive.removeSchedule('secs');
    await tick(clock, 3 * 3_600_000);
    await until(async () => (await ids(hive)).includes('nightly@2025-01-01T03:00:00.000Z'));
    expect((await hive.getSchedule('nightly')).nextAt).toBe(Date.UTC(2025, 0, 2, 3, 0, 0));
  });

  it("overlap 'skip' skips a slot while the previous task is unfinished; 'queue' posts anyway", async () => {
    const clock = new ManualClock(t0);
    const hive = await openHive({ clock }); // no agent: posted tasks stay pending
    await hive.schedule({ id: 'skip', every: 1000, task: { type: 'report' } });
    await hive.schedule({ id: 'queue', every: 1000, overlap: 'queue', task: { type: 'report' } });
    // One slot at a time: each firing is journaled before the clock moves on (on a loaded machine 15 ms may not be enough).
    for (let i = 1; i <= 3; i++) {
      await tick(clock, 1000);
      await until(async () => (await hive.getSchedule('queue')).fired === i);
    }
    expect(await hive.getSchedule('skip')).toMatchObject({ fired: 1, skipped: 2 });
    expect((await ids(hive)).filter((id) => id.startsWith('skip@'))).toEqual(['skip@2025-01-01T00:00:01.000Z']);
    expect((await ids(hive)).filter((id) => id.startsWith('queue@'))).toHaveLength(3);
  });

  it('scheduling the same id again changes nothing; other options update it; bad options are typed errors', async () => {
    const clock = new ManualClock(t0);
    const hive = await openHive({ clock });
    const a = await hive.schedule({ id: 's', every: 1000, task: { type: 'report' } });
    const seq = (await hive.status()).lastSeq;
    expect(await hive.schedule({ id: 's', every: 1000, task: { type: 'report' } })).toEqual(a);
    expect((await hive.status()).lastSeq).toBe(seq);
    expect(await hive.schedule({ id: 's', every: 5000, task: { type: 'report' } })).toMatchObject({ every: 5000, nextAt: t0 + 5000 });
    const bad: unknown[] = [
      { id: 's2', task: { type: 'report' } },
      { id: 's2', every: 10, cron: '* * * * *', task: { type: 'report' } },
      { id: 's2', cron: 'every day', task: { type: 'report' } },
      { id: 's2', cron: '0 0 31 2 *', task: { type: 'report' } },
      { id: 's2', cron: '* * * * *', timezone: 'Mars/Base', task: { type: 'report' } },
      { id: 's2', every: 1000, timezone: 'UTC', task: { type: 'report' } },
      { id: 's2', every: 1000, overlap: 'parallel', task: { type: 'report' } },
      { id: 's2', every: 1000, task: { type: 'report', id: 'x' } },
      { id: 's2', every: 1000, task: { type: 'report', dependsOn: ['x'] } },
      { id: 's2', every: 1000, task: {} },
      { id: 'x'.repeat(180), every: 1000, task: { type: 'report' } },
    ];
    for (const b of bad) {
      const err = await hive.schedule(b as never).catch((e) => e);
      expect(isHiveError(err, 'invalid_input'), JSON.stringify(b)).toBe(true);
    }
    expect((await hive.schedules()).map((x) => x.id)).toEqual(['s']);
  });

  it('survives restarts: a slot missed while down fires once, then the next slot after now; none twice', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(t0);
    const open = () => createHive({ dataDir, clock, logger: memoryLogger().logger });
    let hive = await open();
    await hive.schedule({ id: 'hourly', every: 3_600_000, overlap: 'queue', task: { type: 'report' } });
    await tick(clock, 3_600_000);
    await until(async () => (await ids(hive)).length === 1);
    await hive.close();
    clock.advance(5 * 3_600_000 + 60_000); // five slots pass while nothing runs
    hive = await open();
    clock.advance(0);
    await until(async () => (await ids(hive)).length === 2);
    expect(await ids(hive)).toEqual(['hourly@2025-01-01T01:00:00.000Z', 'hourly@2025-01-01T02:00:00.000Z']);
    expect(await hive.getSchedule('hourly')).toMatchObject({ fired: 2, nextAt: Date.UTC(2025, 0, 1, 7) });
    await hive.close();
    hive = await open();
    clock.advance(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(await ids(hive)).toHaveLength(2);
    await hive.close();
  });
  it("auctions each slot's task: explicitly in the template, or by the hive's assignment for its type; across a restart", async () => {
    const dataDir = tempDir();
    const open = (assignment?: Record<string, 'auction'>) =>
      createHive({
        dataDir,
        logger: memoryLogger().logger,
        handlers: { report: async () => 'ok', sweep: async () => 'ok' },
        ...(assignment ? { assignment } : {}),
      });
    let hive = await open({ sweep: 'auction' });
    const bidders = async (h: Hive) => {
      await h.spawnAgent({ id: 'cheap', name: 'cheap', capabilities: ['report', 'sweep'], bid: () => 1 });
      await h.spawnAgent({ id: 'dear', name: 'dear', capabilities: ['report', 'sweep'], bid: () => 9 });
    };
    await bidders(hive);
    const s = await hive.schedule({ id: 'auctioned', every: 150, task: { type: 'report', assign: 'auction', auction: { windowMs: 20 } } });
    expect(s.task).toMatchObject({ assign: 'auction', auction: { windowMs: 20, onNoBids: 'fail' } });
    // No `assign` in the template: the hive's `assignment: { sweep: 'auction' }` decides, once, when scheduled.
    await hive.schedule({ id: 'by-type', every: 150, task: { type: 'sweep' } });
    const sold = async (h: Hive, type: string) => {
      let winner: string | null | undefined;
      await until(async () => {
        for (const t of await h.listTasks({ type })) {
          if (t.status !== 'completed') continue;
          winner = h.routingDecisions({ taskId: t.id })[0]?.winner;
          if (winner !== undefined) return true;
        }
        return false;
      });
      return winner;
    };
    expect(await sold(hive, 'report')).toBe('cheap');
    expect(await sold(hive, 'sweep')).toBe('cheap');
    await hive.close();
    // Reopened without the hive-level option: the journaled schedule still auctions its tasks.
    hive = await open();
    await bidders(hive);
    const before = new Set((await hive.listTasks({ type: 'sweep' })).map((t) => t.id));
    await until(async () => (await hive.listTasks({ type: 'sweep', status: 'completed' })).some((t) => !before.has(t.id)));
    const fresh = (await hive.listTasks({ type: 'sweep', status: 'completed' })).find((t) => !before.has(t.id))!;
    expect(hive.routingDecisions({ taskId: fresh.id })[0]).toMatchObject({ strategy: 'auction', winner: 'cheap' });
    const err = await hive.schedule({ id: 'bad', every: 150, task: { type: 'report', auction: { windowMs: 20 } } }).catch((e) => e);
    expect(isHiveError(err, 'invalid_input')).toBe(true);
    expect(String(err.message)).toMatch(/only applies to auctioned tasks/);
    await hive.removeSchedule('auctioned');
    await hive.removeSchedule('by-type');
    await hive.close();
    await verifyReplay(dataDir);
  });
});
