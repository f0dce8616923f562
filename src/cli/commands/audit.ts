/** @module The `audit` command: the audit log's decision records (`hive.audit()`), filtered the same way, read-only. */
import { Option, type Command } from 'commander';
import { auditTypes } from '../../hive/auditQuery.js';
import { dataDirOf, dataDirOption, dirArgumentHelp, readOnlyNote } from '../dataDirOption.js';
import { auditSummary } from '../describeAudit.js';
import { timeArg, wholeNumberArg, withOptionNames } from '../optionValues.js';
import { printTable } from '../printTable.js';
import { withReadStore } from '../withReadStore.js';

interface AuditOptions {
  type?: string;
  target?: string;
  since?: number;
  limit?: number;
  json?: boolean;
}

/**
 * Registers `hivestate audit [dir] [--type T] [--target ADDRESS] [--since TIME] [--limit N] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'audit', '--type', 'auction.award'])
 */
export function register(program: Command): void {
  program
    .command('audit')
    .description('the audit log: every coordination decision, oldest first (as hive.audit() returns it)')
    .argument('[dir]', dirArgumentHelp)
    .addOption(dataDirOption())
    // The type and target are passed on as given: hive.audit() checks them and says what it allows.
    .option('-t, --type <type>', `only records of this type: ${auditTypes.join(', ')}`)
    .option('--target <address>', 'only records about this address, such as task:build:core or agent:builder-1')
    .addOption(new Option('--since <time>', 'only records at or after this time: ISO 8601 or epoch ms').argParser((v) => timeArg('--since', v)))
    .addOption(new Option('-n, --limit <n>', 'at most this many, the oldest first (1-100000; default 1000)').argParser((v) => wholeNumberArg('--limit', v)))
    .option('--json', 'print a JSON array of audit records')
    .addHelpText('after', readOnlyNote)
    .action(async (dir: string | undefined, o: AuditOptions, command: Command) => {
      await withReadStore(dataDirOf(dir, command), (view) => {
        const records = withOptionNames(() =>
          view.audit({
            ...(o.type !== undefined ? { type: o.type } : {}),
            ...(o.target !== undefined ? { target: o.target } : {}),
            ...(o.since !== undefined ? { since: o.since } : {}),
            ...(o.limit !== undefined ? { limit: o.limit } : {}),
          }),
        );
        if (o.json) return void process.stdout.write(`${JSON.stringify(records)}\n`);
        const rows = records.map((r) => ({
          time: new Date(r.at).toISOString(),
          type: r.type,
          target: r.target,
          actor: r.actor,
          outcome: r.outcome,
          decision: auditSummary(r),
        }));
        process.stdout.write(rows.length === 0 ? 'no audit records\n' : printTable(rows, ['time', 'type', 'target', 'actor', 'outcome', 'decision']));
      });
    });
}
