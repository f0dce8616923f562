import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const repo = join(import.meta.dirname, '..');
// Node's require(esm): on by default from Node 20.19 and 22.12.
const requireEsm = (process.features as { require_module?: boolean }).require_module === true;

const cjsProgram = `
const { createHive, isHiveError } = require('hivestate');
(async () => {
  const hive = await createHive({ dataDir: process.argv[2], handlers: { echo: async (t) => t.input } });
  await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['echo'] });
  const task = await hive.postTask({ type: 'echo', input: { from: 'commonjs' } });
  const done = await hive.waitForTask(task.id);
  const missing = await hive.getTask('no-such-task').catch((err) => isHiveError(err, 'not_found'));
  await hive.close();
  console.log(JSON.stringify({ output: done.output, missing }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe('CommonJS', () => {
  it.skipIf(!requireEsm)(
    `require('hivestate') from a .cjs file loads the built package and runs a task (needs require(esm): Node >= 20.19 or 22.12; this is ${process.version})`,
    () => {
      // The package as published (package.json + dist built by tsconfig.build.json), linked into an app's node_modules.
      const root = tempDir('hive-cjs-');
      const pkg = join(root, 'pkg');
      mkdirSync(pkg);
      copyFileSync(join(repo, 'package.json'), join(pkg, 'package.json'));
      const build = spawnSync(
        process.execPath,
        [
          join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          join(repo, 'tsconfig.build.json'),
          '--outDir',
          join(pkg, 'dist'),
          '--sourceMap',
          'false',
        ],
        { encoding: 'utf8' },
      );
      expect(build.status, build.stdout + build.stderr).toBe(0);
      symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'));
      mkdirSync(join(root, 'app', 'node_modules'), { recursive: true });
      symlinkSync(pkg, join(root, 'app', 'node_modules', 'hivestate'));
      writeFileSync(join(root, 'app', 'main.cjs'), cjsProgram);

      const r = spawnSync(process.execPath, [join(root, 'app', 'main.cjs'), join(root, 'data')], { cwd: join(root, 'app'), encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ output: { from: 'commonjs' }, missing: true });
    },
    60_000,
  );
});
