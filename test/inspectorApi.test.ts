import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActorHistory, DirectoryPage, Info, Summary, Swimlanes, ChangesPage } from '../src/inspect/inspectorApi.js';
import { ActorDirectory } from '../src/inspect/ActorDirectory.js';
import { openReplay, startInspector, type InspectorServer, type Replay } from '../src/index.js';
import { recordRun } from './fixtures/recordRun.js';
import { tempDir } from './helpers.js';

describe('inspector API (paged, for the page)', () => {
  let replay: Replay;
  let server: InspectorServer;
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    const dir = join(tempDir('api-'), 'data');
    await recordRun(dir);
    replay = await openReplay(dir);
    server = await startInspector({ replay });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await replay?.close();
  });

  it('serves the built page behind the token and its script and style without it', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    const page = await fetch(`${base}/?token=${server.token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<link rel="icon" href="data:,">');
    expect(html).toContain('/assets/inspector.js');
    const js = await fetch(`${base}/assets/inspector.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/assets/inspector.css`)).status).toBe(200);
    expect((await fetch(`${base}/assets/../api/info`)).status).toBe(401);
    expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404);
    // The Host check still applies to the public files (fetch cannot set Host: plain http).
    const rebound = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port: server.port, path: '/assets/inspector.js', headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    expect(rebound).toBe(403);
  });

  it('lists actors a page at a time in tree order, with counts per kind and status, search and filters', async () => {
    const info = (await get<Info>('/api/info')).body;
    expect(info.kinds).toEqual(expect.arrayContaining(['task', 'agent', 'coordinator']));
    expect(Object.keys(info.machines.agent!.states!)).toContain('busy');

    const summary = (await get<Summary>('/api/summary')).body;
    expect(summary.seq).toBe(replay.lastSeq);
    expect(summary.at).toBeGreaterThan(0);
    // The coordinator, agent a, five tasks, and the learner and insights read models.
    expect(summary.counts.total).toBe(9);
    expect(summary.counts.kinds.task).toEqual({ total: 5, byStatus: { completed: 4, pending: 1 } });
    expect(summary.agents).toEqual([{ id: 'a', status: 'idle', load: 0, succeeded: 4, failed: 1, successRate: 0.8 }]);
    expect(summary.queue).toEqual({ head: ['t-wait'], length: 1 });

    const all = (await get<DirectoryPage>('/api/actors?limit=3')).body;
    expect(all.total).toBe(9);
    expect(all.items.map((e) => [e.address, e.depth])).toEqual([
      ['coordinator', 0],
      ['agent:a', 1],
      ['task:t3', 2],
    ]);
    expect(all.items[1]).toMatchObject({ parent: 'coordinator', children: 4 });
    const rest = (await get<DirectoryPage>('/api/actors?limit=10&offset=3')).body;
    expect(rest.items.map((e) => e.address)).toEqual(['task:t2', 'task:t1', 'task:t0', 'task:t-wait', 'insights', 'learner']);
    expect(rest.items[3]).toMatchObject({ parent: 'coordinator', depth: 1, status: 'pending', finished: false });

    const search = (await get<DirectoryPage>('/api/actors?q=T1&focus=task:t1')).body;
    expect(search.items.map((e) => e.address)).toEqual(['task:t1']);
    expect(search.focusIndex).toBe(0);
    expect((await get<DirectoryPage>('/api/actors?kind=task&status=pending')).body.items.map((e) => e.address)).toEqual(['task:t-wait']);
    expect((await get<DirectoryPage>('/api/actors?kind=agent')).body.total).toBe(1);

    // At input 2 (t0 posted and assigned), the list is that point's.
    const early = (await get<DirectoryPage>('/api/actors?seq=2')).body;
    expect(early.seq).toBe(2);
    expect(early.items.map((e) => `${e.address}=${e.status}`)).toEqual(['coordinator=running', 'agent:a=busy', 'task:t0=running', 'insights=on']);

    expect((await get<{ error: string }>('/api/actors?limit=501')).body.error).toBe('limit: must be from 0 to 500, got 501');
    expect((await get('/api/actors?offset=-1')).status).toBe(400);
    expect((await get('/api/history')).status).toBe(400);
  });

  it('gives an actor its history: every input that changed it, before and after, and the cause', async () => {
    const h = (await get<ActorHistory>('/api/history?address=task:t1')).body;
    // From the history index the hive keeps with its checkpoints (replay.history).
    expect(h.source).toBe('index');
    const steps = h.entries.map((e) => `${e.before?.status ?? '-'}>${e.after?.status}`);
    expect(steps).toEqual(['->running', 'running>retrying', 'retrying>running', 'running>completed']);
    const [posted, failed, retried, done] = h.entries;
    // Posted by the API and assigned by the coordinator within the same input.
    expect(posted!.cause).toMatchObject({ kind: 'api', input: 'task.post', from: 'input', event: 'created' });
    expect((posted!.cause as { messages: Array<{ from: string }> }).messages.map((m) => m.from)).toContain('coordinator');
    expect(failed!.cause).toMatchObject({ kind: 'outcome', input: 'attempt.failed', event: 'attempt.failed' });
    expect(failed!.after!.context).toMatchObject({ error: { message: 'first try fails' } });
    expect(retried!.cause).toMatchObject({ kind: 'timer', input: 'timer.fired', event: 'hive.retry' });
    expect(retried!.before!.context!.attempt).toBe(1);
    expect(retried!.after!.context!.attempt).toBe(2);
    expect(done!.cause).toMatchObject({ kind: 'outcome', input: 'attempt.succeeded' });
    expect(done!.at).toBeGreaterThan(0);
    // The agent learns of its tasks through messages from the coordinator.
    const agent = (await get<ActorHistory>('/api/history?address=agent:a')).body;
    expect(agent.entries.some((e) => typeof e.cause === 'object' && (e.cause as { kind: string; from?: string }).kind === 'message')).toBe(true);
    // A window: only the inputs in from < seq <= to.
    const window = (await get<ActorHistory>(`/api/history?address=task:t1&from=${failed!.seq}&to=${done!.seq - 1}`)).body;
    expect(window.entries.map((e) => e.seq)).toEqual([retried!.seq]);
  });

  it('uses replay.history (the actor index) when the replay has one', async () => {
    const entries = [{ seq: 1, at: 5, input: { type: 'task.post' }, before: null, after: { value: 'pending', status: 'pending' }, cause: { kind: 'api' } }];
    const seen: unknown[] = [];
    (replay as unknown as { history: unknown }).history = async (address: string, range: unknown) => {
      seen.push([address, range]);
      return entries;
    };
    try {
      const h = (await get<ActorHistory>('/api/history?address=task:t0&from=0&to=3')).body;
      expect(h).toMatchObject({ source: 'index', entries });
      expect(seen).toEqual([['task:t0', { from: 0, to: 3 }]]);
    } finally {
      delete (replay as unknown as { history?: unknown }).history;
    }
  });

  it('draws swimlanes: one lane per actor, the focus first, inputs, messages and transitions with their times', async () => {
    const last = replay.lastSeq;
    const lanes = (await get<Swimlanes>(`/api/lanes?from=0&to=${last}&focus=task:t1`)).body;
    expect(lanes.lanes[0]!.address).toBe('task:t1');
    expect(lanes.inputs.length).toBe(last);
    expect(lanes.inputs.every((i) => i.at > 0)).toBe(true);
    const t1 = lanes.lanes[0]!.marks;
    // Every transition, also those within one input (assigned and started at once).
    expect(t1.filter((m) => m.type === 'transition').map((m) => m.to)).toEqual([
      'assigned',
      'running',
      'retrying',
      'pending',
      'assigned',
      'running',
      'completed',
    ]);
    expect(t1.some((m) => m.type === 'input' && m.label === 'attempt.failed')).toBe(true);
    expect(t1.some((m) => m.type === 'message' && m.direction === 'in' && m.peer === 'coordinator')).toBe(true);
    for (const m of t1) {
      expect(m.x).toBeGreaterThan(m.seq - 1);
      expect(m.x).toBeLessThan(m.seq);
    }
    const addresses = lanes.lanes.map((l) => l.address);
    expect(addresses).toEqual(expect.arrayContaining(['agent:a', 'coordinator', 'task:t0', 'task:t-wait']));
    const only = (await get<Swimlanes>(`/api/lanes?from=0&to=${last}&focus=task:t1&only=1`)).body;
    // t1 also tells the learner and insights what happened to it.
    expect(only.lanes.map((l) => l.address).sort()).toEqual(['agent:a', 'coordinator', 'insights', 'learner', 'task:t1']);
    expect((await get(`/api/lanes?from=0&to=5000`)).status).toBe(400);
  });

  it('pages the actors that differ between two points', async () => {
    const page = (await get<ChangesPage>(`/api/changes?from=1&to=${replay.lastSeq}&limit=2`)).body;
    expect(page.total).toBe(8);
    expect(page.counts).toEqual({ added: 7, changed: 1, removed: 0 });
    expect(page.items.length).toBe(2);
    const next = (await get<ChangesPage>(`/api/changes?from=1&to=${replay.lastSeq}&limit=2&offset=4&q=task`)).body;
    expect(next.total).toBe(5);
    expect(next.items.map((c) => c.address)).toEqual(['task:t3']);
  });
});

describe('ActorDirectory', () => {
  it('renders any kind from its address and the parent it reports; unknown kinds go under the coordinator', () => {
    const actor = (address: string, kind: string, status: string, context: Record<string, unknown> = {}) => ({
      address,
      kind,
      status,
      snapshot: { value: status, context },
    });
    const dir = ActorDirectory.fromActors(
      [
        actor('coordinator', 'coordinator', 'running'),
        actor('colony:c1', 'colony', 'active'),
        actor('robot:x', 'robot', 'open'),
        actor('agent:a', 'agent', 'idle'),
        actor('agent:child', 'agent', 'busy', { parentId: 'a' }),
        actor('task:done', 'task', 'completed', { assignedTo: 'child', spec: { order: 1 } }),
      ] as never,
      9,
    );
    expect(dir.page().items.map((e) => `${'  '.repeat(e.depth)}${e.address}`)).toEqual([
      'coordinator',
      '  colony:c1',
      '  agent:a',
      '    agent:child',
      '      task:done',
      '  robot:x',
    ]);
    expect(dir.counts().kinds.colony).toEqual({ total: 1, byStatus: { active: 1 } });
    dir.update(
      new Map([
        ['robot:x', undefined],
        ['colony:c1', actor('colony:c1', 'colony', 'closed')],
      ]) as never,
      10,
    );
    expect(dir.page({ kind: 'colony' }).items).toMatchObject([{ address: 'colony:c1', status: 'closed' }]);
    expect(dir.has('robot:x')).toBe(false);
    expect(dir.seq).toBe(10);
  });
});
