/** @module The `replay` command: seek, step, list and show actors, diff, inputs, verify and export a recorded run. */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { defaultHiveOptions } from '../../createHive.js';
import { ValidationError } from '../../errors.js';
import type { Replay } from '../../replay/Replay.js';
import { exportRecording } from '../../replay/recording.js';
import { openDataDir } from '../../replay/ReplaySource.js';
import { registerTravel } from './replayTravel.js';
import { out, replaySourceHelp, seqArg, withReplay } from '../withReplay.js';

const sourceHelp = replaySourceHelp;

function printActors(replay: Replay, kind: string | undefined, json: boolean | undefined): void {
  const actors = replay.actors().filter((a) => kind === undefined || a.kind === kind);
  if (json) {
    out(JSON.stringify(actors.map(({ address, kind: k, status }) => ({ address, kind: k, status }))));
    return;
  }
  out(`at input ${replay.position} of ${replay.lastSeq}: ${actors.length} actors`);
  for (const a of actors) out(`  ${a.address.padEnd(40)} ${a.status}`);
}

/** One line of the interactive session; returns false to stop. */
async function command(replay: Replay, line: string): Promise<boolean> {
  const [cmd, ...args] = line.trim().split(/\s+/);
  switch (cmd) {
    case '':
      return true;
    case 'seek':
      await replay.seek(seqArg('seq', args[0] ?? ''));
      break;
    case 'step':
    case 'next':
      await replay.step(args[0] === undefined ? 1 : seqArg('n', args[0]));
      break;
    case 'back':
    case 'prev':
      await replay.step(-(args[0] === undefined ? 1 : seqArg('n', args[0])));
      break;
    case 'actors':
      printActors(replay, args[0], false);
      return true;
    case 'show':
      out(JSON.stringify(replay.actor(args[0] ?? '') ?? null, null, 2));
      return true;
    case 'diff':
      for (const c of await replay.diff(seqArg('from', args[0] ?? ''), seqArg('to', args[1] ?? '')))
        out(`  ${c.change} ${c.address} ${c.from ?? ''} -> ${c.to ?? ''} ${c.fields.join(',')}`);
      break;
    case 'inputs':
      for (const r of replay.inputs(seqArg('from', args[0] ?? ''), seqArg('to', args[1] ?? ''))) out(`  #${r.seq} ${r.input.type} ${JSON.stringify(r.input)}`);
      return true;
    case 'quit':
    case 'exit':
      return false;
    default:
      out('commands: seek N | step [n] | back [n] | actors [kind] | show ADDRESS | diff A B | inputs A B | quit');
      return true;
  }
  const input = replay.inputs(replay.position - 1, replay.position)[0];
  out(`at input ${replay.position} of ${replay.lastSeq}${input ? ` (${input.input.type})` : ''}`);
  return true;
}

/**
 * Registers `hivestate replay <subcommand>`: info, actors, show, diff, inputs, step (interactive), history, why, fork, verify, export.
 * @example register(program); await program.parseAsync(['replay', 'verify', './.hivestate'], { from: 'user' })
 */
export function register(program: Command): void {
  const replay = program
    .command('replay')
    .description('replay a recorded run: seek to any input, step, list actors, diff, history, why, fork, verify, export')
    .addHelpText(
      'after',
      `\nEvery subcommand takes SOURCE: ${sourceHelp} (default ${defaultHiveOptions.dataDir}).\nReplay never runs handlers or timers: outcomes come from the journal.`,
    );

  replay
    .command('info')
    .description('journal length, stored checkpoint')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .action((source: string) =>
      withReplay(source, async (r) => {
        out(`source      ${r.source.origin}`);
        out(`inputs      ${r.lastSeq}`);
        out(`checkpoint  ${r.source.checkpoint()?.seq ?? 'none'}`);
      }),
    );

  replay
    .command('actors')
    .description('every actor and its state after input --at (default: the last)')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .option('--at <seq>', 'sequence number')
    .option('--kind <kind>', 'only task, agent or coordinator')
    .option('--json', 'print JSON')
    .action((source: string, o: { at?: string; kind?: string; json?: boolean }) =>
      withReplay(source, async (r) => {
        await r.seek(o.at === undefined ? r.lastSeq : seqArg('--at', o.at));
        printActors(r, o.kind, o.json);
      }),
    );

  replay
    .command('show')
    .description("one actor's stored snapshot after input --at")
    .argument('<address>', 'actor address, e.g. task:t1, agent:a1, coordinator')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .option('--at <seq>', 'sequence number')
    .action((address: string, source: string, o: { at?: string }) =>
      withReplay(source, async (r) => {
        await r.seek(o.at === undefined ? r.lastSeq : seqArg('--at', o.at));
        const a = r.actor(address);
        if (!a) throw new ValidationError('address', `no actor ${address} after input ${r.position}`);
        out(JSON.stringify(a, null, 2));
      }),
    );

  replay
    .command('diff')
    .description('which actors changed between two inputs, and how')
    .argument('<from>', 'sequence number')
    .argument('<to>', 'sequence number')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .option('--json', 'print JSON')
    .action((from: string, to: string, source: string, o: { json?: boolean }) =>
      withReplay(source, async (r) => {
        const changes = await r.diff(seqArg('from', from), seqArg('to', to));
        if (o.json) return out(JSON.stringify(changes));
        out(`${changes.length} actors changed between input ${from} and ${to}`);
        for (const c of changes)
          out(`  ${c.change.padEnd(8)} ${c.address.padEnd(36)} ${c.from ?? ''} -> ${c.to ?? ''}${c.fields.length ? `  (${c.fields.join(', ')})` : ''}`);
      }),
    );

  replay
    .command('inputs')
    .description('the journaled inputs with from < seq <= to')
    .argument('<from>', 'sequence number')
    .argument('<to>', 'sequence number')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .action((from: string, to: string, source: string) =>
      withReplay(source, async (r) => {
        for (const rec of r.inputs(seqArg('from', from), seqArg('to', to)))
          out(`#${rec.seq} ${new Date(rec.at).toISOString()} ${rec.input.type} ${JSON.stringify(rec.input)}`);
      }),
    );

  replay
    .command('step')
    .description('interactive: reads commands (seek N, step [n], back [n], actors, show, diff, inputs, quit) from stdin')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .action((source: string) =>
      withReplay(source, async (r) => {
        out(`${r.lastSeq} inputs; at input 0. Type help for commands.`);
        const rl = createInterface({ input: process.stdin, terminal: false });
        for await (const line of rl) {
          try {
            if (!(await command(r, line))) break;
          } catch (err) {
            out(`error: ${(err as Error).message}`);
          }
        }
        rl.close();
      }),
    );

  registerTravel(replay);

  replay
    .command('verify')
    .description('replay from the start and compare with the stored checkpoint; names the first divergence')
    .argument('[source]', sourceHelp, defaultHiveOptions.dataDir)
    .action((source: string) =>
      withReplay(source, async (r) => {
        const report = await r.verify();
        out(
          report.checkpointSeq === 0
            ? 'no stored checkpoint: nothing to compare'
            : `ok: ${report.inputs} inputs replayed, ${report.actors} stored actors match the checkpoint at input ${report.checkpointSeq}`,
        );
      }),
    );

  replay
    .command('export')
    .description("write a data directory's run (journal and stored checkpoint) to one file")
    .argument('<file>', 'the recording to write (NDJSON)')
    .argument('[dataDir]', 'data directory', defaultHiveOptions.dataDir)
    .action(async (file: string, dataDir: string) => {
      const src = openDataDir(dataDir);
      try {
        const n = await exportRecording(src, file);
        out(`wrote ${file}: ${n.records} inputs, ${n.actors} stored actors`);
      } finally {
        await src.close();
      }
    });
}
