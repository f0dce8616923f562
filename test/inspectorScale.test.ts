import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplay, startInspector, type InspectorServer, type Replay } from '../src/index.js';
import { haveChromium, launchChromium } from './chromium.js';
import { openHive, tempDir } from './helpers.js';

const tasks = 100_000;

describe.skipIf(!haveChromium)('inspector page on a directory with 100,000 tasks', () => {
  let browser: BrowserContext;
  let replay: Replay;
  let server: InspectorServer;

  beforeAll(async () => {
    const work = tempDir('scale-');
    const dir = join(work, 'data');
    // 100,000 tasks nobody can run (they stay pending) and a few that an agent completes.
    const hive = await openHive({ dataDir: dir, handlers: { x: async () => 'ok' } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const posts: Array<Promise<unknown>> = [];
    for (let i = 0; i < tasks; i += 5000) posts.push(hive.postTasks(Array.from({ length: 5000 }, (_, j) => ({ id: `t${i + j}`, type: 'nobody' }))));
    await Promise.all(posts);
    for (let i = 0; i < 3; i++) await hive.waitForTask((await hive.postTask({ id: `done${i}`, type: 'x' })).id, { timeoutMs: 10_000 });
    await hive.close();
    replay = await openReplay(dir);
    server = await startInspector({ replay });
    browser = await launchChromium(work);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await replay?.close();
  });

  it('loads a page of actors at a time, scrolls and searches the whole list, and the page stays responsive', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    // Main-thread tasks over 50 ms, as the browser reports them.
    await page.addInitScript(() => {
      const w = globalThis as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' as never, buffered: true });
    });
    const responses: Array<{ url: string; bytes: number; items?: number; limit?: number }> = [];
    page.on('response', async (r) => {
      const url = new URL(r.url());
      if (!url.pathname.startsWith('/api/')) return;
      const text = await r.text().catch(() => '');
      const body = text.startsWith('{') ? (JSON.parse(text) as { items?: unknown[] }) : {};
      responses.push({ url: url.pathname + url.search, bytes: text.length, items: body.items?.length, limit: Number(url.searchParams.get('limit') ?? NaN) });
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    await expect.poll(() => page.locator('#counts [data-kind="task"]').textContent(), { timeout: 60_000 }).toBe('task 100,003');
    await expect.poll(() => page.locator('#list-total').textContent(), { timeout: 60_000 }).toBe('100,007 actors'); // with the coordinator, the agent, the learner and insights
    await page.waitForSelector('.actor-row[data-address="task:t0"]', { timeout: 60_000 });

    // Scroll to the end of the list: the last rows are fetched and drawn, and only the visible ones exist.
    await page.locator('.list-box').evaluate((el) => (el.scrollTop = el.scrollHeight));
    // (Pending tasks are listed oldest first under the coordinator, after the agent and the tasks it ran.)
    await page.waitForSelector('.actor-row[data-address="task:t99999"]', { timeout: 60_000 });
    expect(await page.locator('.actor-row').count()).toBeLessThan(80);
    await page.locator('.list-box').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    const shown = () => page.locator('.actor-row[data-address]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address')));
    await expect.poll(async () => (await shown()).some((a) => /^task:t(49\d{3}|50\d{3})$/.test(a ?? '')), { timeout: 60_000 }).toBe(true);

    // Search the whole directory.
    await page.locator('#search').fill('t99999');
    await expect.poll(() => page.locator('#list-total').textContent(), { timeout: 60_000 }).toBe('1 matching');
    await page.waitForSelector('.actor-row[data-address="task:t99999"]');

    // Responsive: a frame is drawn at once, and the main thread never blocked for long.
    const frame = await page.evaluate(() => {
      const t0 = performance.now();
      const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): void };
      return new Promise<number>((resolve) => g.requestAnimationFrame(() => resolve(performance.now() - t0)));
    });
    expect(frame).toBeLessThan(250);
    const longTasks = await page.evaluate(() => (globalThis as unknown as { longTasks: number[] }).longTasks);
    expect(Math.max(0, ...longTasks)).toBeLessThan(500);

    // Every answer was a bounded page: no request listed every actor.
    const actorPages = responses.filter((r) => r.url.startsWith('/api/actors'));
    expect(actorPages.length).toBeGreaterThan(2);
    for (const r of actorPages) {
      expect(r.limit, r.url).toBeLessThanOrEqual(100);
      expect(r.items, r.url).toBeLessThanOrEqual(r.limit!);
    }
    expect(responses.some((r) => r.url.startsWith('/api/state'))).toBe(false);
    for (const r of responses) expect(r.bytes, r.url).toBeLessThan(300_000);
    const listed = actorPages.reduce((n, r) => n + (r.items ?? 0), 0);
    expect(listed).toBeLessThan(2000);
    console.info(
      JSON.stringify({
        frameMs: Math.round(frame),
        longestTaskMs: Math.round(Math.max(0, ...longTasks)),
        actorRequests: actorPages.length,
        actorsListed: listed,
        largestResponse: Math.max(...responses.map((r) => r.bytes)),
      }),
    );
    await page.close();
  }, 300_000);
});
