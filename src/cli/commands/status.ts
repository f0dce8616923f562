/** @module The `status` command: counts of agents and tasks by status, read-only. */
import type { Command } from 'commander';
import { dataDirOption, readOnlyNote } from '../dataDirOption.js';
import { withReadStore } from '../withReadStore.js';
import type { PredictionFigures } from '../../hive/insightsQuery.js';

/** Prediction accuracy in one line. */
function predictionLine(p: PredictionFigures): string {
  const agent = p.winnerAccuracy === null ? 'no agent scored yet' : `right agent ${Math.round(p.winnerAccuracy * 100)}%`;
  const duration = p.durationErrorPct === null ? 'no duration scored yet' : `durations off by ${p.durationErrorPct.toFixed(1)}%`;
  return `${p.made} predictions, ${p.scored} scored: ${agent}, ${duration}`;
}

/**
 * Registers `hivestate status [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'status', '--json'])
 */
export function register(program: Command): void {
  program
    .command('status')
    .description('counts of agents and tasks by status')
    .addOption(dataDirOption())
    .option('--json', 'print one JSON object')
    .addHelpText('after', readOnlyNote)
    .action(async (o: { dataDir: string; json?: boolean }) => {
      await withReadStore(o.dataDir, (view) => {
        const s = view.status();
        if (o.json) return void process.stdout.write(`${JSON.stringify(s)}\n`);
        const counts = (r: Record<string, number | undefined>) =>
          Object.entries(r)
            .filter(([k]) => k !== 'total')
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || 'none';
        const tail = s.appliedSeq - s.checkpointSeq;
        process.stdout.write(
          [
            `data dir  ${o.dataDir}${s.writerPid !== undefined ? ` (in use by process ${s.writerPid})` : ''}`,
            `agents    ${s.agents.total}: ${counts(s.agents)}`,
            `tasks     ${s.tasks.total}: ${counts(s.tasks)}`,
            `auctions  ${s.openAuctions} open`,
            `insights  ${predictionLine(s.predictions)}`,
            `journal   ${s.lastSeq} inputs; ${
              s.checkpointSeq === 0
                ? 'no checkpoint yet, all replayed from the journal'
                : `last checkpoint at input ${s.checkpointSeq} (${new Date(s.checkpointAt).toISOString()})${tail > 0 ? `, the ${tail} inputs after it replayed from the journal` : ''}`
            }`,
          ].join('\n') + '\n',
        );
      });
    });
}
