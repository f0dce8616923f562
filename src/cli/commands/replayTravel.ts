/** @module The time-travel subcommands of `hivestate replay`: history (an actor's timeline), why (its chain of causes) and fork (a what-if data directory). */
import type { Command } from 'commander';
import { defaultHiveOptions } from '../../createHive.js';
import { ValidationError } from '../../errors.js';
import type { HistoryEntry } from '../../replay/actorHistory.js';
import { writeFork } from '../../replay/writeFork.js';
import { out, replaySourceHelp, seqArg, withReplay } from '../withReplay.js';

const sourceHelp = replaySourceHelp;

function seqOption(name: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : seqArg(name, value);
}

/** A value on one line, cut to `max` characters. */
function brief(value: unknown, max = 80): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function causeText(e: HistoryEntry): string {
  const c = e.cause;
  const what = c.kind === 'api' ? 'API call' : c.kind === 'outcome' ? 'outcome' : c.kind === 'timer' ? 'timer' : `message from ${c.from}`;
  return `${what}: ${c.messages.map((m) => m.event).join(', ')}`;
}

/**
 * One history entry as lines: `#seq time input (cause) before -> after`, then each changed field.
 * @example printEntry(entry).forEach((l) => console.log(l))
 */
export function entryLines(e: HistoryEntry): string[] {
  const head = `#${e.seq}  ${new Date(e.at).toISOString()}  ${e.input.type}  (${causeText(e)})  ${e.before ? e.before.value : '(created)'} -> ${e.after.value}`;
  const lines = [head];
  for (const field of Object.keys(e.after.context)) {
    lines.push(
      e.before ? `    ${field}: ${brief(e.before.context[field])} -> ${brief(e.after.context[field])}` : `    ${field} = ${brief(e.after.context[field])}`,
    );
  }
  return lines;
}

/**
 * Registers `replay history`, `replay why` and `replay fork` on the `replay` command.
 * @example registerTravel(program.commands.find((c) => c.name() === 'replay')!)
 */
export function registerTravel(replay: Command): void {
  replay
    .command('history')
    .description('every input that changed one actor: state before and after, changed fields, and the cause')
    .argument('<address>', 'actor address, e.g. task:build-1, agent:a1, coordinator')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .option('--from <seq>', 'show inputs after this one')
    .option('--to <seq>', 'show inputs up to this one')
    .option('--json', 'print one JSON entry per line')
    .action((address: string, source: string, o: { from?: string; to?: string; json?: boolean }) =>
      withReplay(source, async (r) => {
        const from = seqOption('--from', o.from);
        const to = seqOption('--to', o.to);
        const entries = await r.history(address, { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
        if (o.json) {
          for (const e of entries) out(JSON.stringify(e));
          return;
        }
        const span = `inputs ${(from ?? r.firstSeq) + 1}..${to ?? r.lastSeq}`;
        if (entries.length === 0) throw new ValidationError('address', `no input changed ${address} in ${span}`);
        out(`${address}: ${entries.length} inputs changed it (${span} of ${r.lastSeq})`);
        for (const e of entries) for (const line of entryLines(e)) out(line);
      }),
    );

  replay
    .command('why')
    .description("the chain of causes behind an actor's last state: failed dependencies, chosen agents, retries, timeouts")
    .argument('<address>', 'actor address, e.g. task:build-1')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .option('--json', 'print JSON')
    .action((address: string, source: string, o: { json?: boolean }) =>
      withReplay(source, async (r) => {
        const report = await r.why(address);
        if (o.json) return out(JSON.stringify(report));
        out(`why ${address} is ${report.status ?? 'unknown'}:`);
        for (const s of report.steps) out(`  #${String(s.seq).padEnd(6)} ${'  '.repeat(s.depth)}${s.depth > 0 ? `${s.address}: ` : ''}${s.text}`);
      }),
    );

  replay
    .command('fork')
    .description('what if: write a new data directory whose journal is inputs 1..at-seq, with some inputs replaced')
    .argument('<at-seq>', 'the last input the fork keeps')
    .argument('<fork-dir>', 'the new data directory (must be new or empty)')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .option('--replace <seq=json...>', 'replace input <seq> with these fields, e.g. 57=\'{"type":"attempt.succeeded","output":"ok"}\' (repeatable)')
    .addHelpText('after', '\nThe fork is written, not run: open it with createHive({ dataDir: <fork-dir>, handlers }) so it carries on with real handlers.')
    .action((atSeq: string, forkDir: string, source: string, o: { replace?: string[] }) =>
      withReplay(source, async (r) => {
        const replace: Record<number, unknown> = {};
        for (const item of o.replace ?? []) {
          const eq = item.indexOf('=');
          const seq = seqOption('--replace', eq < 0 ? item : item.slice(0, eq));
          if (eq < 0 || seq === undefined) throw new ValidationError('--replace', `must be <seq>=<json>, got ${JSON.stringify(item)}`);
          try {
            replace[seq] = JSON.parse(item.slice(eq + 1));
          } catch {
            throw new ValidationError('--replace', `the fields for input ${seq} are not JSON: ${item.slice(eq + 1)}`);
          }
        }
        const summary = await writeFork(r.source, seqOption('at-seq', atSeq)!, { dataDir: forkDir, replace });
        out(
          `wrote fork ${summary.dataDir}: inputs 1..${summary.atSeq} of ${r.source.origin}${summary.replaced.length ? `, input${summary.replaced.length > 1 ? 's' : ''} ${summary.replaced.join(', ')} replaced` : ''}`,
        );
        out(`open it with createHive({ dataDir: ${JSON.stringify(summary.dataDir)}, handlers }) to carry on from there`);
      }),
    );
}
