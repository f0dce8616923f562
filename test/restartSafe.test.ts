import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DuplicateIdError, type Handler } from '../src/index.js';
import { openHive, settle, tempDir } from './helpers.js';

const root = join(import.meta.dirname, '..');

/** The README's API example, importing this checkout instead of the published package. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The API in 20 lines'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  return code.replace(/from 'hivestate'/g, `from ${JSON.stringify(join(root, 'src', 'index.ts'))}`);
}

function runIn(cwd: string, file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // tsx by path: the example runs in a directory of its own, where `--import tsx` would not resolve.
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, file], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a program run again on its own data directory', () => {
  it("README's example runs twice: the second run finds its agents and tasks", async () => {
    const cwd = tempDir();
    const file = join(cwd, 'example.mts');
    writeFileSync(file, readmeExample());
    const first = await runIn(cwd, file);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/status: 'completed'/);
    const second = await runIn(cwd, file);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    // The same build task, finished by the first run, not a new one.
    const id = (out: string) => /id: '(task-[^']+)'/.exec(out)?.[1];
    expect(id(second.stdout)).toBe(id(first.stdout));
    expect(second.stdout).toMatch(/attempts: 1/);
  });

  it('spawnAgent with an existing id and the same spec returns the agent and attaches the handler given', async () => {
    const dataDir = tempDir();
    const echo: Handler = (t) => t.id;
    const spec = { id: 'builder', name: 'Builder', capabilities: ['build'], maxConcurrent: 2 };
    const first = await openHive({ dataDir });
    const created = await first.spawnAgent({ ...spec, handler: echo });
    await first.close();

    const hive = await openHive({ dataDir });
    await hive.postTask({ id: 'b1', type: 'build' });
    await settle();
    expect(await hive.getTask('b1')).toMatchObject({ status: 'pending' }); // its handler left with the first process
    const again = await hive.spawnAgent({ ...spec, handler: echo });
    expect(again).toMatchObject({ id: 'builder', createdAt: created.createdAt, detached: false });
    expect(await hive.waitForTask('b1', { timeoutMs: 2000 })).toMatchObject({ status: 'completed', output: 'b1' });
    expect(await hive.listAgents()).toHaveLength(1);
    // Without a handler: the same agent, nothing changed.
    expect(await hive.spawnAgent(spec)).toMatchObject({ id: 'builder', succeeded: 1 });
  });

  it('spawnAgent with an existing id and a different spec throws DuplicateIdError naming the differing fields', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'builder', name: 'Builder', capabilities: ['build'], maxConcurrent: 2 });
    const err = await hive.spawnAgent({ id: 'builder', name: 'Builder', capabilities: ['build', 'test'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateIdError);
    expect(err).toMatchObject({
      code: 'duplicate_id',
      differences: [
        { field: 'capabilities', registered: ['build'], given: ['build', 'test'] },
        { field: 'maxConcurrent', registered: 2, given: 1 },
      ],
    });
    expect((err as Error).message).toBe(
      'an agent with id "builder" already exists with a different spec: capabilities (registered ["build"], given ["build","test"]), maxConcurrent (registered 2, given 1); spawnAgent with the same spec returns the existing agent, a new spec needs a new id',
    );
  });

  it('two concurrent spawnAgent calls with one id and one spec register one agent', async () => {
    const hive = await openHive();
    const spec = { id: 'w', name: 'w', capabilities: ['x'] };
    const [a, b] = await Promise.all([hive.spawnAgent(spec), hive.spawnAgent(spec)]);
    expect(a.id).toBe('w');
    expect(b).toEqual(a);
    expect((await hive.status()).lastSeq).toBe(1);
  });
});
