/** @module The `report` command: the session report (phases, agents, tasks, times, health and issues), read-only. */
import type { Command } from 'commander';
import { dataDirOption, readOnlyNote } from '../dataDirOption.js';
import { describeReport } from '../describeReport.js';
import { withReadStore } from '../withReadStore.js';

/**
 * Registers `hivestate report [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'report', '--json'])
 */
export function register(program: Command): void {
  program
    .command('report')
    .description('the session report: phases, agents, tasks, elapsed and remaining time, health and its issues')
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object (as hive.report() returns it)')
    .addHelpText('after', readOnlyNote)
    .action(async (o: { dataDir: string; json?: boolean }) => {
      await withReadStore(o.dataDir, (view) => {
        const r = view.report();
        process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${describeReport(r)}\n`);
      });
    });
}
