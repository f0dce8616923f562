import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplay, startInspector, type InspectorServer, type Replay } from '../src/index.js';
import { openHive, tempDir } from './helpers.js';

const executablePath = '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
if (!haveChromium) console.warn(`inspector page test skipped: ${executablePath} is missing (apt-get install chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('inspector page in Chromium', () => {
  let browser: BrowserContext;
  let replay: Replay;
  let server: InspectorServer;
  let work: string;

  beforeAll(async () => {
    work = tempDir('page-');
    const dir = join(work, 'data');
    const hive = await openHive({ dataDir: dir, handlers: { x: async () => 'ok' } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    for (const id of ['t1', 't2']) await hive.waitForTask((await hive.postTask({ id, type: 'x' })).id, { timeoutMs: 5000 });
    await hive.close();
    replay = await openReplay(dir);
    server = await startInspector({ replay });
    const profile = join(work, 'profile');
    mkdirSync(profile);
    // A new, empty profile directory under the test's temp directory.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await replay?.close();
  });

  it('shows the actor tree, highlights the current state and time-travels with the slider', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const denied = await page.goto(server.url.replace(/token=.*/, 'token=wrong'));
    expect(denied?.status()).toBe(401);
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });

    // The tree: coordinator > agent:a > tasks (run by the agent), with status colours.
    const last = replay.lastSeq;
    expect(await page.locator('#seq').textContent()).toBe(`${last} / ${last}`);
    const taskNode = page.locator('li[data-address="coordinator"] li[data-address="agent:a"] li[data-address="task:t1"]');
    await expect.poll(() => taskNode.getAttribute('data-status')).toBe('completed');
    expect(await taskNode.locator('> span').getAttribute('class')).toBe('status-completed');
    expect(await page.locator('li[data-address="agent:a"] > span').getAttribute('class')).toBe('status-idle');

    // Select the task: its statechart is drawn from the machine definition, the current state highlighted.
    await taskNode.locator('> span').click();
    await expect.poll(() => page.locator('#chart g.state.active').getAttribute('data-state')).toBe('completed');
    expect(await page.locator('#chart g.state').count()).toBe(13); // the task machine's 13 states, delayed and waiting included
    expect(await page.locator('#timeline li').count()).toBeGreaterThan(0);

    // Time travel: input 2 posted t1 and the agent took it at once.
    await page.locator('#slider').fill('2');
    await page.waitForSelector('body[data-seq="2"]');
    await expect.poll(() => page.locator('#chart g.state.active').getAttribute('data-state')).toBe('running');
    expect(await page.locator('li[data-address="task:t2"]').count()).toBe(0);
    expect(await page.locator('li[data-address="agent:a"]').getAttribute('data-status')).toBe('busy');
    expect(await page.locator('#timeline').textContent()).toContain('task.post');
    await page.locator('#slider').fill('1');
    await page.waitForSelector('body[data-seq="1"]');
    expect(await page.locator('li[data-address="task:t1"]').count()).toBe(0);
    expect(await page.locator('#chart h3').textContent()).toContain('not present');
    await page.locator('#slider').fill(String(last));
    await page.waitForSelector(`body[data-seq="${last}"]`);
    expect(await page.locator('#models').textContent()).toContain('"completed":2');

    const shot = join(work, 'inspector.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    expect(errors).toEqual([]);
  }, 30_000);

  it('follows a live hive: a task posted while the page is open appears and completes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const hive = await openHive({ inspect: { port: 0 }, handlers: { x: async () => gate.then(() => 'done') } });
    await hive.spawnAgent({ id: 'live-agent', name: 'live', capabilities: ['x'] });
    const page = await browser.newPage();
    try {
      await page.goto(hive.inspector!.url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
      expect(await page.locator('#origin').textContent()).toMatch(/^live: /);
      await hive.postTask({ id: 'live-task', type: 'x' });
      const node = page.locator('li[data-address="agent:live-agent"] li[data-address="task:live-task"]');
      await expect.poll(() => node.getAttribute('data-status'), { timeout: 10_000 }).toBe('running');
      release();
      await hive.waitForTask('live-task', { timeoutMs: 5000 });
      await expect.poll(() => node.getAttribute('data-status'), { timeout: 10_000 }).toBe('completed');
    } finally {
      release();
      await page.close();
    }
  }, 30_000);
});
