/**
 * @module `npm run bench`: runs every benchmark in sequence, each in its own Node process (clean
 * heap, --expose-gc), passing the command line through, and ends with one table of every figure,
 * its target and whether it is met.
 * Usage: npm run bench [-- --only xstate,throughput,latency] [-- --runs 3 --tasks 100000] [-- --baseline <git-ref>|none] [-- --quick]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { checkArgs, sizes, stringArg } from './options.js';
import { collectEnv, printTable, rowPrefix, type Row } from './report.js';

const all = ['xstate', 'throughput', 'latency', 'recovery', 'heap', 'rss', 'colony', 'remote'];
const args = process.argv.slice(2);
const problem = checkArgs(args);
if (problem) {
  console.error(`bench: ${problem}`);
  console.error(
    `options: --only ${all.join(',')}  --quick  --baseline <git-ref>|none  ${Object.entries(sizes)
      .map(([k, v]) => `--${k} N (${v.help})`)
      .join('  ')}`,
  );
  process.exit(1);
}
const only = stringArg('only', all.join(',')).split(',');
const unknown = only.filter((b) => !all.includes(b));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${all.join(', ')}`);
  process.exit(1);
}

/** Runs one benchmark, echoing its output and keeping the rows it hands up. */
function runBench(name: string, rows: Row[]): Promise<number | null> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, `${name}.ts`), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, [collectEnv]: '1' },
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith(rowPrefix)) rows.push(JSON.parse(line.slice(rowPrefix.length)) as Row);
    else console.log(line);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

const rows: Row[] = [];
let failed = 0;
for (const name of only) {
  console.log(`== ${name} ==`);
  const code = await runBench(name, rows);
  if (code !== 0) {
    failed++;
    rows.push({ bench: name, figure: 'benchmark', skipped: `failed (exit ${code})` });
  }
}
console.log('\n== figures ==');
printTable(rows);
process.exitCode = failed > 0 ? 1 : 0;
