import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../scripts/natsServer.js';
import { createHive } from '../src/index.js';
import { tempDir } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const children: ChildProcess[] = [];
let nats: NatsServer | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await nats?.stop();
});

/** A child process whose stdout lines are watched: `line(pred)` resolves at the first matching line. */
function start(script: string, args: string[]) {
  const p = spawn(process.execPath, ['--import', 'tsx', join(fixtures, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(p);
  const waiters: Array<{ pred: (l: string) => boolean; resolve: () => void }> = [];
  let last = '';
  let buf = '';
  const seen: string[] = [];
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      last = l;
      if (!l.startsWith('count ')) seen.push(l);
      for (const w of waiters.splice(0)) w.pred(l) ? w.resolve() : waiters.push(w);
    }
  });
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  return {
    p,
    exited,
    last: () => last,
    line: (pred: (l: string) => boolean, what: string, ms = 45_000) =>
      new Promise<void>((resolve, reject) => {
        if (seen.some(pred) || pred(last)) return resolve();
        const t = setTimeout(() => reject(new Error(`${script}: no "${what}" in ${ms} ms (last line: ${last})`)), ms);
        waiters.push({
          pred,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      }),
  };
}
const finishedAtLeast = (n: number) => (l: string) => l.startsWith('count ') && Number(l.split(' ')[1]) >= n;
const read = <T>(dir: string, file: string): T[] =>
  readFileSync(join(dir, `${file}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return []; // a line cut short by SIGKILL
      }
    });

describe('remote workers end to end', () => {
  it('2,000 tasks on 3 worker processes complete exactly once through kill -9 of a worker, kill -9 and restart of the hive, and a NATS server restart', async () => {
    nats = await startNatsServer();
    const dataDir = tempDir();
    const side = join(tempDir(), 'side');
    mkdirSync(side);
    const total = 2000;
    let hive = start('remoteHive.ts', [dataDir, nats.url, side, String(total)]);
    await hive.line((l) => l === 'ready', 'ready');
    const worker = (id: string) => start('remoteWorker.ts', [nats!.url, id, '8', side]);
    const workers = { w1: worker('w1'), w2: worker('w2'), w3: worker('w3') };
    await Promise.all(Object.values(workers).map((w) => w.line((l) => l === 'ready', 'ready')));
    await hive.line((l) => l === 'posted', 'posted');

    await hive.line(finishedAtLeast(300), '300 finished');
    workers.w2.p.kill('SIGKILL');
    await hive.line(finishedAtLeast(800), '800 finished');
    hive.p.kill('SIGKILL');
    await hive.exited;
    hive = start('remoteHive.ts', [dataDir, nats.url, side]);
    await hive.line((l) => l === 'ready', 'ready after restart');
    const w2again = worker('w2');
    await w2again.line((l) => l === 'ready', 'w2 ready again');
    await hive.line(finishedAtLeast(1300), '1300 finished');
    await nats.restart();
    await hive.line((l) => l === `count ${total} 0`, 'all finished');
    // Workers leave first (the hive journals it), then the hive closes.
    for (const w of [workers.w1, workers.w3, w2again]) w.p.kill('SIGTERM');
    expect(await Promise.all([workers.w1, workers.w3, w2again].map((w) => w.exited))).toEqual([0, 0, 0]);
    hive.p.kill('SIGTERM');
    expect(await hive.exited).toBe(0);

    const h = await createHive({ dataDir });
    try {
      const tasks = new Map((await h.listTasks({ limit: 10_000 })).map((t) => [t.id, t]));
      const acked = read<{ id: string }>(side, 'acked');
      expect(acked.length).toBe(total);
      const notCompleted = acked.filter((a) => tasks.get(a.id)?.status !== 'completed');
      expect(notCompleted, 'every acknowledged task completed').toEqual([]);

      const terminalSeqs = new Map<string, Set<number>>();
      for (const e of read<{ taskId: string; seq: number; status: string }>(side, 'terminal')) {
        expect(e.status).toBe('completed');
        terminalSeqs.set(e.taskId, (terminalSeqs.get(e.taskId) ?? new Set()).add(e.seq));
      }
      const twice = [...terminalSeqs].filter(([, seqs]) => seqs.size > 1);
      expect(twice, 'no task finished twice').toEqual([]);

      const outputs = new Set(read<object>(side, 'outputs').map((o) => JSON.stringify(o)));
      const starts = read<{ taskId: string; attempt: number; worker: string; seen: number }>(side, 'starts');
      let redispatched = 0;
      for (const t of tasks.values()) {
        expect(outputs.has(JSON.stringify(t.output)), `${t.id}: its output was produced by a worker`).toBe(true);
        expect((t.output as { attempt: number }).attempt).toBe(t.attempts);
        expect(t.attempts).toBe(1 + t.redispatches);
        if (t.redispatches > 0) redispatched++;
      }
      expect(redispatched).toBeGreaterThan(0);
      // Only the killed worker's attempts were re-dispatched: the hive's restart kept the others running.
      const needless = starts.filter((s) => s.worker !== 'w2' && s.attempt !== tasks.get(s.taskId)!.attempts);
      expect(needless, 'attempts started on w1 or w3 that were re-dispatched').toEqual([]);

      // A started attempt saw every checkpoint an earlier attempt had acknowledged.
      const acknowledged = new Map<string, number>();
      for (const c of read<{ taskId: string; attempt: number; n: number }>(side, 'checkpoints')) {
        const key = `${c.taskId}#${c.attempt}`;
        acknowledged.set(key, Math.max(acknowledged.get(key) ?? 0, c.n));
      }
      for (const s of starts) {
        for (let a = 1; a < s.attempt; a++)
          expect(s.seen, `${s.taskId} attempt ${s.attempt}`).toBeGreaterThanOrEqual(acknowledged.get(`${s.taskId}#${a}`) ?? 0);
      }
      const agents = await h.listAgents();
      expect(agents.map((a) => [a.id, a.remote?.status]).sort()).toEqual([
        ['w1', 'away'],
        ['w2', 'away'],
        ['w3', 'away'],
      ]);
      expect(agents.reduce((n, a) => n + a.succeeded, 0)).toBe(total);
    } finally {
      await h.close();
    }
  }, 300_000);
});
