/** @module The `agents` command: lists agents with status, load and results, read-only. */
import { Option, type Command } from 'commander';
import { dataDirOption, readOnlyNote } from '../dataDirOption.js';
import { printTable } from '../printTable.js';
import { withReadStore } from '../withReadStore.js';

const agentStatuses = ['idle', 'busy', 'paused', 'error', 'stopped'];

/**
 * Registers `hivestate agents [--status S] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'agents'])
 */
export function register(program: Command): void {
  program
    .command('agents')
    .description('list agents (oldest first)')
    .addOption(dataDirOption())
    .addOption(new Option('-s, --status <status>', 'only agents in this status').choices(agentStatuses))
    .option('--json', 'print a JSON array')
    .addHelpText('after', readOnlyNote)
    .action(async (o: { dataDir: string; status?: string; json?: boolean }) => {
      await withReadStore(o.dataDir, (view) => {
        const agents = view.agents().filter((a) => o.status === undefined || a.status === o.status);
        if (o.json) return void process.stdout.write(`${JSON.stringify(agents)}\n`);
        const rows = agents.map((a) => ({
          id: a.id,
          name: a.name,
          status: a.status,
          load: `${a.load}/${a.maxConcurrent}`,
          ok: a.succeeded,
          failed: a.failed,
          capabilities: a.capabilities.join(','),
          where: a.remote ? `${a.remote.host} pid ${a.remote.pid} (${a.remote.status})` : 'local',
          tasks: a.tasks.join(',') || '-',
        }));
        process.stdout.write(
          rows.length === 0 ? 'no agents\n' : printTable(rows, ['id', 'name', 'status', 'load', 'ok', 'failed', 'capabilities', 'where', 'tasks']),
        );
      });
    });
}
