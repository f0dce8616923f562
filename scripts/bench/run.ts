/**
 * @module `npm run bench`: runs every benchmark in sequence, each in its own Node process (clean
 * heap, --expose-gc), passing the command line through (e.g. --runs 1, --tasks 20000).
 * Usage: npm run bench [-- --only latency,recovery] [-- --runs R --tasks N --agents A --samples S --live-tasks N --live-agents A --rss-tasks M]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const all = ['xstate', 'throughput', 'latency', 'recovery', 'rss'];
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1]!.split(',') : all;
const passed = onlyAt >= 0 ? [...args.slice(0, onlyAt), ...args.slice(onlyAt + 2)] : args;
const unknown = only.filter((b) => !all.includes(b));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${all.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const name of only) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, `${name}.ts`), ...passed], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
