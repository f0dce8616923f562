import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHive, copyWithFlip, readHives, seeded, type BuiltHive, type ReadResult } from './hiveFiles.js';
import { tempDir } from './helpers.js';

/** One case's outcome, judged: fine when it read back exactly what was stored or was refused with FormatError/StoreError. */
function judge(result: ReadResult, expected: ReadResult): string | undefined {
  if ('crashed' in result) return `the process died (${result.crashed})`;
  if ('error' in result) {
    const { name, typed, message } = result.error;
    return typed && (name === 'FormatError' || name === 'StoreError') ? undefined : `untyped or unexpected error ${name}: ${message}`;
  }
  if (!('ok' in expected)) throw new Error('the undamaged copy did not open');
  for (const [id, want] of Object.entries(expected.ok)) {
    if (JSON.stringify(result.ok[id]) !== JSON.stringify(want))
      return `opened and read task ${id} differently: ${JSON.stringify(result.ok[id])?.slice(0, 120)}`;
  }
  return undefined;
}

describe('corruption of a closed hive', () => {
  let built: BuiltHive;
  let expected: ReadResult;
  // Built once for every case (helpers' tempDir() is emptied after each test).
  const shared = mkdtempSync(join(tmpdir(), 'hive-corruption-'));
  afterAll(() => rmSync(shared, { recursive: true, force: true }));
  beforeAll(async () => {
    built = await buildHive(join(shared, 'hive'));
    const copy = join(tempDir(), 'hive');
    cpSync(built.dir, copy, { recursive: true });
    expected = (await readHives([copy], built.ids))[0]!;
    expect(expected).toHaveProperty('ok');
  });

  it('flipping any one byte (150 seeded positions across the file) reads back exactly what was stored or is refused with a typed error', async () => {
    const size = statSync(join(built.dir, 'hive.lmdb')).size;
    const random = seeded(9);
    const cases = Array.from({ length: 150 }, (_, i) => {
      const position = Math.floor(random() * size);
      const mask = 1 + Math.floor(random() * 255);
      const dir = join(tempDir(), `flip-${i}`);
      copyWithFlip(built.dir, dir, position, mask);
      return { dir, position, mask };
    });
    const results = await readHives(
      cases.map((c) => c.dir),
      built.ids,
    );
    const failures = cases.flatMap((c, i) => {
      const problem = judge(results[i]!, expected);
      return problem ? [`byte ${c.position} ^ ${c.mask}: ${problem}`] : [];
    });
    expect(failures).toEqual([]);
    // The sample reaches the stored data: some flips are caught, some land in unused space.
    expect(results.filter((r) => 'error' in r).length).toBeGreaterThan(10);
    expect(results.filter((r) => 'ok' in r).length).toBeGreaterThan(10);
  });

  it('a file truncated to 0 bytes or to half is a FormatError naming the file', async () => {
    const file = join(built.dir, 'hive.lmdb');
    const dirs = [0, Math.floor(statSync(file).size / 2)].map((length) => {
      const dir = join(tempDir(), `truncated-${length}`);
      cpSync(built.dir, dir, { recursive: true });
      truncateSync(join(dir, 'hive.lmdb'), length);
      return dir;
    });
    const results = await readHives(dirs, built.ids);
    results.forEach((r, i) => {
      expect(r).toMatchObject({ error: { name: 'FormatError', message: expect.stringContaining(join(dirs[i]!, 'hive.lmdb')) } });
    });
    expect(results[0]).toMatchObject({ error: { message: expect.stringContaining('empty (0 bytes)') } });
    expect(results[1]).toMatchObject({ error: { message: expect.stringContaining('truncated') } });
  });

  it('a journal emptied behind the hive is a FormatError naming what the checkpoint saw, and nothing is written', async () => {
    const dir = join(tempDir(), 'emptied');
    cpSync(built.dir, dir, { recursive: true });
    const raw = open({ path: join(dir, 'hive.lmdb'), maxDbs: 12 });
    await raw.openDB({ name: 'journal', encoding: 'binary' }).clearAsync();
    await raw.close();
    const before = readFileSync(join(dir, 'hive.lmdb'));
    const [result] = await readHives([dir], built.ids);
    expect(result).toMatchObject({
      error: { name: 'FormatError', message: expect.stringMatching(/the journal is empty but the checkpoint at input \d+ saw inputs up to \d+ journaled/) },
    });
    expect(readFileSync(join(dir, 'hive.lmdb')).equals(before)).toBe(true);
  });

  it('a damaged name of the journal database is a FormatError, not a new empty journal', async () => {
    const bytes = readFileSync(join(built.dir, 'hive.lmdb'));
    const positions: number[] = [];
    // Every copy of the name in the file (the live main database page and older, freed ones).
    for (let at = bytes.indexOf('journal\0'); at >= 0; at = bytes.indexOf('journal\0', at + 1)) positions.push(at + 6);
    expect(positions.length).toBeGreaterThan(0);
    const dirs = positions.map((position, i) => {
      const dir = join(tempDir(), `renamed-${i}`);
      copyWithFlip(built.dir, dir, position, 'l'.charCodeAt(0) ^ 'm'.charCodeAt(0)); // journal -> journam
      return dir;
    });
    const results = await readHives(dirs, built.ids);
    for (const r of results) expect(judge(r, expected)).toBeUndefined();
    const refused = results.filter((r) => 'error' in r);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatchObject({ error: { name: 'FormatError', message: expect.stringMatching(/"journam".*lacks journal/) } });
  });
});
