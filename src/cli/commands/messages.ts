/** @module The `messages` command: typed envelopes newest first with their delivery state (`hive.messages()`), read-only. */
import { Option, type Command } from 'commander';
import { messageTypes } from '../../../machines/message.js';
import type { MessageView } from '../../hive/messageViews.js';
import { formatDuration } from '../dashboard/renderDashboard.js';
import { dataDirOf, dataDirOption, dirArgumentHelp, readOnlyNote } from '../dataDirOption.js';
import { wholeNumberArg, withOptionNames } from '../optionValues.js';
import { printTable } from '../printTable.js';
import { withReadStore } from '../withReadStore.js';

interface MessagesOptions {
  to?: string;
  type?: string;
  limit: number;
  json?: boolean;
}

/**
 * One table row: deliveries (against the allowed number for a type that is delivered again; lost
 * ones apart, they do not count), and why it failed when it did.
 * @example messageRow(view, Date.now()).state // 'acknowledged'
 */
function messageRow(m: MessageView, now: number): Record<string, unknown> {
  const d = m.delivery;
  return {
    id: m.id,
    type: m.type,
    channel: m.channel,
    from: m.from,
    to: m.to,
    state: d.state,
    // Only acknowledged types are delivered again, so only they have a limit worth showing.
    deliveries: `${d.deliveries}${d.needsAck ? `/${d.maxDeliveries}` : ''}${d.lost > 0 ? ` (${d.lost} lost)` : ''}`,
    age: formatDuration(now - m.at),
    error: d.reason ?? (d.lastError ? `${d.lastError.code}: ${d.lastError.message}` : undefined),
  };
}

/**
 * Registers `hivestate messages [dir] [--to AGENT] [--type T] [--limit N] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'messages', '--to', 'builder'])
 */
export function register(program: Command): void {
  program
    .command('messages')
    .description('list messages (newest first) with their delivery state (as hive.messages() returns them)')
    .argument('[dir]', dirArgumentHelp)
    .addOption(dataDirOption())
    // Passed on as given: hive.messages() checks them and says what it allows.
    .option('--to <agent>', 'only messages to this agent')
    .option('-t, --type <type>', `only messages of this type: ${messageTypes.join(', ')}`)
    .addOption(new Option('-n, --limit <n>', 'at most this many, the newest').default(100).argParser((v) => wholeNumberArg('--limit', v)))
    .option('--json', 'print a JSON array of message views')
    .addHelpText('after', readOnlyNote)
    .action(async (dir: string | undefined, o: MessagesOptions, command: Command) => {
      await withReadStore(dataDirOf(dir, command), (view) => {
        const messages = withOptionNames(() =>
          view.messages({ ...(o.to !== undefined ? { to: o.to } : {}), ...(o.type !== undefined ? { type: o.type } : {}), limit: o.limit }),
        );
        if (o.json) return void process.stdout.write(`${JSON.stringify(messages)}\n`);
        const now = Date.now();
        process.stdout.write(
          messages.length === 0
            ? 'no messages\n'
            : printTable(
                messages.map((m) => messageRow(m, now)),
                ['id', 'type', 'channel', 'from', 'to', 'state', 'deliveries', 'age', 'error'],
              ),
        );
      });
    });
}
