import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openReplay, startInspector } from '../src/index.js';
import { openHive, tempDir, until } from './helpers.js';

/** Opens a socket; resolves with its first message, rejects with the HTTP status when the upgrade is refused. */
function connect(url: string): Promise<{ ws: WebSocket; first: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)) }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('InspectorServer', () => {
  it('serves a live hive behind its token: 401 without it, page, state, models and a live socket with it', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, inspect: { port: 0 }, handlers: { x: async () => 'ok' } });
    const info = hive.inspector!;
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const base = `http://127.0.0.1:${info.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/api/state?token=wrong-token-wrong-token-wrong`)).status).toBe(401);
    expect((await fetch(`${base}/api/state`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const page = await fetch(info.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="/assets/inspector.js"');
    await expect(connect(`ws://127.0.0.1:${info.port}/ws`)).rejects.toThrow('refused 401');
    await expect(connect(`ws://127.0.0.1:${info.port}/ws?token=bad`)).rejects.toThrow('refused 401');

    const { ws, first } = await connect(`ws://127.0.0.1:${info.port}/ws?token=${info.token}`);
    expect(first).toMatchObject({ type: 'hello', live: true });
    const kinds: string[] = [];
    ws.on('message', (d) => kinds.push((JSON.parse(String(d)) as { record: { kind: string } }).record.kind));
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.waitForTask((await hive.postTask({ id: 't', type: 'x' })).id, { timeoutMs: 5000 });
    await until(() => kinds.includes('effect.settled'));
    expect(kinds).toEqual(expect.arrayContaining(['input.applied', 'actor.created', 'transition', 'effect.dispatched', 'effect.settled']));
    ws.close();

    const auth = { headers: { authorization: `Bearer ${info.token}` } };
    const state = (await (await fetch(`${base}/api/state`, auth)).json()) as {
      seq: number;
      actors: Array<{ address: string; status: string; parent: string }>;
    };
    expect(state.actors.find((a) => a.address === 'task:t')).toMatchObject({ status: 'completed', parent: 'agent:a' });
    const models = (await (await fetch(`${base}/api/models`, auth)).json()) as {
      tasksByStatus: Record<string, number>;
      agents: Record<string, { successRate: number }>;
    };
    expect(models.tasksByStatus).toEqual({ completed: 1 });
    expect(models.agents.a).toMatchObject({ status: 'idle', load: 0, successRate: 1 });
    const early = (await (await fetch(`${base}/api/state?seq=1`, auth)).json()) as typeof state;
    expect(early.seq).toBe(1);
    expect(early.actors.map((a) => a.address)).not.toContain('task:t');
    expect((await fetch(`${base}/api/state?seq=abc`, auth)).status).toBe(400);
    expect((await fetch(`${base}/nope`, auth)).status).toBe(404);

    await hive.close();
    await expect(fetch(info.url)).rejects.toThrow();
    // The inspector's read-only view of the directory does not get in the way of the final checkpoint.
    const replay = await openReplay(dir);
    expect(replay.source.checkpoint()?.seq).toBe(replay.lastSeq);
    await replay.close();
  });

  it('serves a recorded run for time travel (no live stream) and checks its options', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, handlers: { x: async () => 1 } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.waitForTask((await hive.postTask({ id: 't', type: 'x' })).id, { timeoutMs: 5000 });
    await hive.close();
    const replay = await openReplay(dir);
    await expect(startInspector({ replay }, { token: 'short' })).rejects.toThrow(/at least 16/);
    const server = await startInspector({ replay }, { token: 'a-token-of-sufficient-length' });
    try {
      const q = `token=${server.token}`;
      const get = async (path: string) => (await fetch(`http://127.0.0.1:${server.port}${path}${path.includes('?') ? '&' : '?'}${q}`)).json();
      const info = (await get('/api/info')) as { live: boolean; lastSeq: number; machines: { task: { states: Record<string, unknown> } } };
      expect(info.live).toBe(false);
      expect(Object.keys(info.machines.task.states)).toContain('running');
      const diff = (await get(`/api/diff?from=1&to=${info.lastSeq}`)) as Array<{ address: string; change: string }>;
      expect(diff).toEqual(expect.arrayContaining([{ address: 'task:t', change: 'added', to: 'completed', fields: [] }]));
      const timeline = (await get(`/api/timeline?from=1&to=2`)) as Array<{ kind: string; address?: string; to?: string }>;
      expect(timeline.some((r) => r.kind === 'transition' && r.address === 'task:t')).toBe(true);
      const inputs = (await get('/api/inputs?from=0&to=1')) as Array<{ input: { type: string } }>;
      expect(inputs.map((r) => r.input.type)).toEqual(['agent.spawn']);
      expect(await get('/api/actor?address=agent:a&seq=1')).toMatchObject({ kind: 'agent', status: 'idle' });
    } finally {
      await server.close();
      await replay.close();
    }
  });

  it('refuses bad inspect options with a ValidationError before opening anything', async () => {
    await expect(openHive({ inspect: { port: 70000 } })).rejects.toMatchObject({ code: 'invalid_input', field: 'inspect.port' });
    await expect(openHive({ inspect: { bogus: 1 } as never })).rejects.toMatchObject({ code: 'invalid_input' });
    const first = await openHive({ inspect: { port: 0 } });
    // A taken port fails the open with a clear error and releases the directory.
    const dir = tempDir();
    await expect(openHive({ dataDir: dir, inspect: { port: first.inspector!.port } })).rejects.toThrow(/EADDRINUSE/);
    const again = await openHive({ dataDir: dir });
    expect((await again.status()).lastSeq).toBe(0);
  });
});
