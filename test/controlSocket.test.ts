import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlSocketPath } from '../src/control/controlSocketPath.js';
import { ControlSocketError, createHive } from '../src/index.js';
import { startChildHive } from './childHive.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

/** The one error line of a failed CLI run. */
function oneLine(r: { code: number | null; stderr: string }): string {
  expect(r.code).toBe(1);
  return r.stderr.trim();
}

describe("the control socket of a user's own program", () => {
  it('createHive({ control: true }) lets hivestate post and cancel reach the running program', async () => {
    const dataDir = join(tempDir(), 'data');
    const program = startChildHive({ dataDir, options: { control: true }, handlerTypes: ['job'], agents: [{ id: 'w', name: 'w', capabilities: ['job'] }] });
    try {
      await program.waitFor(/^ready$/);
      expect(statSync(controlSocketPath(dataDir)).mode & 0o777).toBe(0o600); // only this user may connect

      const posted = await runCli(['post', 'job', '--id', 'j1', '--input', '{"n":1}', '--data-dir', dataDir]);
      expect(posted.stderr).toBe('');
      expect(posted.stdout).toBe('posted j1 (running)\n'); // assigned at once by the program that holds the directory
      await program.waitFor(/^started j1 1$/); // and run by its handler
      expect((await runCli(['cancel', 'j1', '--data-dir', dataDir])).stdout).toBe('j1 cancelled\n');

      await runCli(['post', 'job', '--id', 'j2', '--owner', 'alice', '--data-dir', dataDir]);
      expect(oneLine(await runCli(['cancel', 'j2', '--by', 'bob', '--data-dir', dataDir]))).toMatch(
        /^hivestate: access denied: task "j2" belongs to another owner, not "bob"$/,
      );
      expect(oneLine(await runCli(['post', 'job', '--id', 'j2', '--data-dir', dataDir]))).toMatch(/^hivestate: a task with id "j2" already exists/);
    } finally {
      await program.kill9();
    }
  });

  it('without it, the CLI says how to let it in', async () => {
    const dataDir = join(tempDir(), 'data');
    const program = startChildHive({ dataDir, handlerTypes: ['job'] });
    try {
      await program.waitFor(/^ready$/);
      expect(oneLine(await runCli(['post', 'job', '--data-dir', dataDir]))).toBe(
        `hivestate: data directory ${dataDir} is in use by process ${program.child.pid}; it takes no commands from the CLI: open it with createHive({ control: true }) to let hivestate post and cancel reach it`,
      );
    } finally {
      await program.kill9();
    }
  });

  it('is removed on close; a path that cannot be served is a ControlSocketError and leaves the directory free', async () => {
    const dataDir = tempDir();
    const hive = await openHive({ dataDir, control: true });
    expect(existsSync(controlSocketPath(dataDir))).toBe(true);
    await hive.close();
    expect(existsSync(controlSocketPath(dataDir))).toBe(false);

    // A stale socket file is replaced; a directory in the way is not.
    const busy = join(tempDir(), 'data');
    mkdirSync(controlSocketPath(busy));
    try {
      const err = await createHive({ dataDir: busy, control: true, logger: memoryLogger().logger }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ControlSocketError);
      expect((err as Error).message).toMatch(/^cannot open the control socket .*hivestate-[0-9a-f]+\.sock: /);
      const again = await createHive({ dataDir: busy, logger: memoryLogger().logger }); // the lock was released
      await again.close();
    } finally {
      rmSync(controlSocketPath(busy), { recursive: true, force: true });
    }
  });
});
