#!/usr/bin/env node
/** @module The `hivestate` command: inspect a data directory from a terminal. */
import { parseArgs } from 'node:util';
import { createHive, isHiveError } from '../index.js';

const usage = `usage: hivestate <command> [--data-dir DIR] [--json]

commands:
  status    counts of agents and tasks by status
  agents    list agents
  tasks     list tasks (newest first; --status S, --limit N)

The data directory defaults to ./.hivestate. A directory in use by a running hive is refused
(single writer).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: './.hivestate' },
      json: { type: 'boolean', default: false },
      status: { type: 'string' },
      limit: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return command || values.help ? 0 : 1;
  }
  if (!['status', 'agents', 'tasks'].includes(command)) throw new Error(`unknown command ${JSON.stringify(command)}; run hivestate --help`);
  const hive = await createHive({ dataDir: values['data-dir'] });
  try {
    const data =
      command === 'status'
        ? await hive.status()
        : command === 'agents'
          ? await hive.listAgents()
          : await hive.listTasks({ ...(values.status ? { status: values.status as never } : {}), limit: Number(values.limit) });
    if (values.json) console.log(JSON.stringify(data));
    else if (Array.isArray(data)) console.table(data.map((row) => ({ id: row.id, status: row.status, ...('type' in row ? { type: row.type, attempts: row.attempts } : { load: row.load, capabilities: row.capabilities.join(',') }) })));
    else console.log(data);
  } finally {
    await hive.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`hivestate: ${isHiveError(err) ? `${err.message} (${err.code})` : (err as Error).message}`);
    process.exitCode = 1;
  },
);
