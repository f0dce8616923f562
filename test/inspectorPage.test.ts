import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplay, startInspector, type InspectorServer, type Replay } from '../src/index.js';
import { recordRun } from './fixtures/recordRun.js';
import { chromiumPath, haveChromium, launchChromium } from './chromium.js';
import { openHive, tempDir } from './helpers.js';

if (!haveChromium) console.warn(`inspector page test skipped: ${chromiumPath} is missing (apt-get install chromium; .ci/run installs it)`);

/** Screenshots are kept (not removed after the test) so that a person can look at them. */
const shots = mkdtempSync(join(tmpdir(), 'hivestate-inspector-shots-'));

/** Collects what would show in the browser's console as a problem: errors, failed requests (a 401 included). */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  return problems;
}

/** The browser globals the tests read (this project's TypeScript has no DOM types). */
interface BrowserGlobals {
  document: { body: { dataset: Record<string, string | undefined> }; documentElement: { scrollWidth: number } };
  getComputedStyle(e: unknown): { backgroundColor: string };
}

const seqOf = (page: Page) => page.evaluate(() => Number((globalThis as unknown as BrowserGlobals).document.body.dataset.seq));

describe.skipIf(!haveChromium)('inspector page in Chromium', () => {
  let browser: BrowserContext;
  let replay: Replay;
  let server: InspectorServer;

  beforeAll(async () => {
    const work = tempDir('page-');
    const dir = join(work, 'data');
    await recordRun(dir);
    replay = await openReplay(dir);
    server = await startInspector({ replay });
    browser = await launchChromium(work);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await replay?.close();
    console.info(`inspector screenshots: ${shots}`);
  });

  it('at 1280x800: tree with counts and colours, search, statechart, swimlanes, history, diff, slider and keys', async () => {
    const refused = await browser.newPage();
    expect((await refused.goto(server.url.replace(/token=.*/, 'token=wrong')))?.status()).toBe(401);
    await refused.close();
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    // Any failed request (the old page's favicon was a 401 on every load) or console error fails the test.
    const problems = watchProblems(page);
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const last = replay.lastSeq;
    expect(await page.locator('#seq').textContent()).toBe(`${last} / ${last}`);
    expect(await page.locator('#mode').textContent()).toBe('REPLAY');
    expect(await page.locator('#clock').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);

    // The tree: coordinator > agent:a > tasks run by it; t-wait under the coordinator; counts per kind.
    const t1 = page.locator('.actor-row[data-address="task:t1"]');
    await expect.poll(() => t1.getAttribute('data-status')).toBe('completed');
    expect(await t1.getAttribute('data-parent')).toBe('agent:a');
    expect(await page.locator('.actor-row[data-address="task:t-wait"]').getAttribute('data-parent')).toBe('coordinator');
    expect(await page.locator('#counts [data-kind="task"]').textContent()).toBe('task 5');
    await page.locator('#counts [data-kind="task"]').click();
    await expect.poll(() => page.locator('.counts.statuses').textContent()).toBe('completed 4pending 1');

    // Search: one match; clearing it lists everything again.
    await page.locator('#search').fill('t-wa');
    await expect.poll(() => page.locator('#list-total').textContent()).toBe('1 matching');
    expect(await page.locator('.actor-row[data-address]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address')))).toEqual(['task:t-wait']);
    await page.locator('#search').fill('');
    await page.locator('#counts [data-kind="task"]').click();
    // coordinator, agent a, 5 tasks, the learner and insights.
    await expect.poll(() => page.locator('#list-total').textContent()).toBe('9 actors');

    // Select t1: its statechart, laid out, the current state and the transition just taken highlighted.
    await t1.click();
    const active = page.locator('svg.statechart g.state.active');
    await expect.poll(() => active.getAttribute('data-state')).toBe('completed');
    expect(await page.locator('svg.statechart g.state').count()).toBe(14); // delayed, waiting and suspended included
    expect(await page.locator('svg.statechart g.edge.taken').getAttribute('data-events')).toContain('attempt.succeeded');
    expect(await page.locator('svg.statechart g.state.left').getAttribute('data-state')).toBe('running');
    expect(await page.locator('svg.statechart g.edge path[marker-end]').count()).toBe(await page.locator('svg.statechart g.edge').count());
    // No two edge labels and no label and state overlap.
    const boxes = await page.locator('svg.statechart .edge-label rect, svg.statechart g.state:not(.compound) > rect:first-child').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
      }),
    );
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const overlap = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!) > 1 && Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!) > 1;
        expect(overlap, `boxes ${i} and ${j} overlap: ${a} / ${b}`).toBe(false);
      }
    }
    await page.screenshot({ path: join(shots, 'statechart-1280x800.png') });

    // Swimlanes: the selected actor's lane first, with its inputs, messages and transitions; times on the axis.
    const lanes = page.locator('#swimlanes g.lane');
    await expect.poll(() => lanes.first().getAttribute('data-address')).toBe('task:t1');
    expect(await lanes.count()).toBeGreaterThanOrEqual(6);
    const t1Lane = page.locator('#swimlanes g.lane[data-address="task:t1"]');
    expect(await t1Lane.count()).toBe(1);
    expect(await page.locator('#swimlanes .mark-transition').count()).toBeGreaterThan(7);
    expect(await page.locator('#swimlanes .mark-input').count()).toBeGreaterThan(5);
    expect(await page.locator('#swimlanes .mark-message').count()).toBeGreaterThan(5);
    expect(await page.locator('#swimlanes .tick text.time').first().textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    await page.locator('#lanes-only').check();
    await expect
      .poll(() => lanes.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-address')).sort()))
      .toEqual(['agent:a', 'coordinator', 'insights', 'learner', 'task:t1']);
    await page.locator('#lanes-only').uncheck();
    const width = async () =>
      Number(await page.locator('#swimlanes svg').getAttribute('data-to')) - Number(await page.locator('#swimlanes svg').getAttribute('data-from'));
    const wide = await width();
    await page.locator('#zoom-in').click();
    await page.locator('#zoom-in').click();
    await page.locator('#zoom-in').click();
    await expect.poll(() => page.locator('#zoom-level').textContent()).toBe('10 inputs');
    expect(await width()).toBeLessThan(wide);
    expect(await width()).toBe(10);

    // History: newest first, with before -> after, causes and changed fields; a click goes there.
    await page.locator('#tab-history').click();
    const items = page.locator('#history li');
    await expect.poll(() => items.count()).toBe(4);
    expect(await items.first().textContent()).toContain('running → completed');
    expect(await items.nth(2).textContent()).toMatch(/running → retrying[\s\S]*first try fails/);
    expect(await items.nth(1).textContent()).toContain('timer (timer.fired)');
    expect(await items.last().textContent()).toContain('api (task.post) from input');
    await page.screenshot({ path: join(shots, 'history-1280x800.png') });
    const retrySeq = Number(await items.nth(2).getAttribute('data-seq'));
    await items.nth(2).locator('button.link').click();
    await page.waitForSelector(`body[data-seq="${retrySeq}"]`);
    expect(await page.locator('#slider').inputValue()).toBe(String(retrySeq));

    // The slider: input 2 is t0 posted and started; t1 does not exist yet.
    await page.locator('#tab-chart').click();
    await page.locator('.actor-row[data-address="task:t0"]').click();
    await page.locator('#slider').fill('2');
    await page.waitForSelector('body[data-seq="2"]');
    await expect.poll(() => page.locator('svg.statechart g.state.active').getAttribute('data-state')).toBe('running');
    await expect.poll(() => page.locator('.actor-row[data-address="task:t1"]').count()).toBe(0);
    expect(await page.locator('.actor-row[data-address="agent:a"]').getAttribute('data-status')).toBe('busy');
    // Running and completed never share a colour.
    const running = await page
      .locator('.actor-row[data-address="task:t0"] .status-badge')
      .evaluate((e) => (globalThis as unknown as BrowserGlobals).getComputedStyle(e).backgroundColor);
    // Keys: right arrow steps, shift+arrow steps 10, Home and End.
    await page
      .locator('body')
      .click({ position: { x: 640, y: 20 } })
      .catch(() => undefined);
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('body[data-seq="3"]');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('body[data-seq="2"]');
    await page.keyboard.press('Home');
    await page.waitForSelector('body[data-seq="0"]');
    await page.keyboard.press('Shift+ArrowRight');
    await page.waitForSelector(`body[data-seq="${Math.min(10, last)}"]`);
    await page.keyboard.press('End');
    await page.waitForSelector(`body[data-seq="${last}"]`);
    const completed = await page
      .locator('.actor-row[data-address="task:t0"] .status-badge')
      .evaluate((e) => (globalThis as unknown as BrowserGlobals).getComputedStyle(e).backgroundColor);
    expect(await page.locator('.actor-row[data-address="task:t0"]').getAttribute('data-status')).toBe('completed');
    expect(completed).not.toBe(running);
    await page.locator('#back').click();
    await page.waitForSelector(`body[data-seq="${last - 1}"]`);
    await page.locator('#last').click();
    await page.waitForSelector(`body[data-seq="${last}"]`);

    // Diff between two points: counts, and one actor's fields side by side.
    await page.locator('#tab-diff').click();
    await page.locator('#diff-a').fill('1');
    await page.locator('#diff-a').dispatchEvent('change');
    await expect.poll(() => page.locator('#diff-counts').textContent()).toBe('8 actors differ: 7 added, 1 changed, 0 removed');
    await page.locator('#diff tr[data-address="task:t1"]').click();
    await expect.poll(() => page.locator('#field-diff').textContent()).toContain('(absent)');

    // Read models as tables: per-agent success rate, tasks by status.
    expect(await page.locator('#models tr[data-agent="a"]').textContent()).toContain('80%');
    expect(await page.locator('#models [data-kind="task"] [data-status="completed"]').textContent()).toBe('completed 4');
    await page.screenshot({ path: join(shots, 'diff-1280x800.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('at 800x600: everything fits the width, the overview moves to a tab', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 800, height: 600 });
    const problems = watchProblems(page);
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.locator('.actor-row[data-address="task:t1"]').click();
    await page.waitForSelector('svg.statechart g.state.active');
    await page.waitForSelector('#swimlanes g.lane');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    for (const id of ['#slider', '#search', '#forward', '#last', '#tab-overview']) expect(await page.locator(id).isVisible(), id).toBe(true);
    const chart = await page.locator('svg.statechart').getAttribute('data-scale');
    expect(Number(chart)).toBeGreaterThanOrEqual(0.7);
    await page.screenshot({ path: join(shots, 'statechart-800x600.png') });
    await page.locator('#tab-overview').click();
    await expect.poll(() => page.locator('#models tr[data-agent="a"]').textContent()).toContain('80%');
    await page.locator('#tab-history').click();
    await page.waitForSelector('#history li');
    await page.screenshot({ path: join(shots, 'history-800x600.png') });
    for (const f of ['statechart-800x600.png', 'history-800x600.png']) expect(statSync(join(shots, f)).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows an auction under its task, and the audit trail of the selected task', async () => {
    const dir = join(tempDir('page-auction-'), 'data');
    const hive = await openHive({ dataDir: dir, handlers: { build: async () => 'built' } });
    await hive.spawnAgent({ id: 'b1', name: 'b1', capabilities: ['build'], bid: () => 7 });
    await hive.spawnAgent({ id: 'b2', name: 'b2', capabilities: ['build'], bid: () => 3 });
    await hive.waitForTask((await hive.postTask({ id: 'sold', type: 'build', assign: 'auction', auction: { windowMs: 30 } })).id, { timeoutMs: 10_000 });
    await hive.close();
    const recorded = await openReplay(dir);
    const inspector = await startInspector({ replay: recorded });
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    const problems = watchProblems(page);
    try {
      await page.goto(inspector.url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
      // The auction actor sits under the task it sold; its statechart shows where it ended.
      const auction = page.locator('.actor-row[data-address="auction:sold"]');
      await expect.poll(() => auction.getAttribute('data-parent')).toBe('task:sold');
      expect(await auction.getAttribute('data-status')).toBe('done');
      expect(await page.locator('#counts [data-kind="auction"]').textContent()).toBe('auction 1');
      await auction.click();
      await expect.poll(() => page.locator('svg.statechart g.state.active').getAttribute('data-state')).toBe('done');

      // The task's audit trail: the award (by the auction, with its reason) and the assignment.
      await page.locator('.actor-row[data-address="task:sold"]').click();
      await page.locator('#tab-audit').click();
      const rows = page.locator('#audit tbody tr');
      await expect.poll(() => rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-type')))).toEqual(['auction.award', 'assign']);
      expect(await rows.first().textContent()).toMatch(/auction:sold.*awarded.*lowest price 3 of 2 bids/);
      expect(await rows.nth(1).textContent()).toContain('b2');
      await page.screenshot({ path: join(shots, 'audit-1280x800.png') });
      // Back before the award: the trail up to that point is empty.
      const awardSeq = Number(await rows.first().getAttribute('data-seq'));
      await page.locator('#slider').fill(String(awardSeq - 1));
      await page.waitForSelector(`body[data-seq="${awardSeq - 1}"]`);
      await expect.poll(() => rows.count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await inspector.close();
      await recorded.close();
    }
  }, 60_000);

  it('follows a live hive; the slider leaves live mode and is not moved by new inputs; dragging to the end returns to live', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const hive = await openHive({ inspect: { port: 0 }, handlers: { x: async () => gate.then(() => 'done') } });
    await hive.spawnAgent({ id: 'live-agent', name: 'live', capabilities: ['x'] });
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(hive.inspector!.url);
      await page.waitForSelector('body[data-ready="true"][data-live="open"]', { timeout: 15_000 });
      expect(await page.locator('#origin').textContent()).toMatch(/^live: /);
      expect(await page.locator('#mode').textContent()).toBe('LIVE');
      await hive.postTask({ id: 'live-task', type: 'x' });
      const node = page.locator('.actor-row[data-address="task:live-task"]');
      await expect.poll(() => node.getAttribute('data-status'), { timeout: 10_000 }).toBe('running');
      expect(await node.getAttribute('data-parent')).toBe('agent:live-agent');

      // Back one input: replay mode; new inputs move the end of the slider, not its position.
      const end = await seqOf(page);
      await page.locator('#slider').fill(String(end - 1));
      await page.waitForSelector(`body[data-seq="${end - 1}"]`);
      expect(await page.locator('#mode').textContent()).toBe('REPLAY');
      release();
      await hive.waitForTask('live-task', { timeoutMs: 5000 });
      const after = (await hive.status()).lastSeq;
      expect(after).toBeGreaterThan(end);
      await expect.poll(() => page.locator('#slider').getAttribute('max'), { timeout: 10_000 }).toBe(String(after));
      expect(await page.locator('#slider').inputValue()).toBe(String(end - 1));
      expect(await seqOf(page)).toBe(end - 1);

      // Dragging to the end: live again, following the hive.
      await page.locator('#slider').fill(String(after));
      await page.waitForSelector(`body[data-seq="${after}"]`);
      expect(await page.locator('#mode').textContent()).toBe('LIVE');
      await expect.poll(() => node.getAttribute('data-status')).toBe('completed');
      await hive.postTask({ id: 'live-2', type: 'x' });
      await expect.poll(() => page.locator('.actor-row[data-address="task:live-2"]').getAttribute('data-status'), { timeout: 10_000 }).toBe('completed');
      expect(await page.locator('#mode').textContent()).toBe('LIVE');
      expect(problems).toEqual([]);
    } finally {
      release();
      await page.close();
    }
  }, 60_000);
});
