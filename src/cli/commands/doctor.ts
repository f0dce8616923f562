/** @module The `doctor` command: checks a data directory for damage, in a child process. */
import type { Command } from 'commander';
import { doctorChecks, type DoctorReport } from '../../store/diagnoseDataDir.js';
import { runDoctor } from '../../store/runDoctor.js';

/**
 * Registers `hivestate doctor <dir> [--json]`. Exit status: 0 healthy, 1 problems found, 2 the
 * check crashed.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'doctor', './.hivestate'])
 */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('check a data directory for damage (read-only)')
    .argument('<dir>', 'hive data directory')
    .option('--json', 'print the report as one JSON object')
    .addHelpText(
      'after',
      `
Checks, in a separate process so that a damaged file cannot crash this one: the file and LMDB's
pages, the format and named databases, then every journal record, stored actor, index entry and
timer. Exits 0 when healthy, 1 with the problems listed, 2 when the check itself crashed. Takes no
lock; while a hive runs, LMDB's pages are not walked (check a copy made with \`hivestate backup\`).`,
    )
    .action(async (dir: string, o: { json?: boolean }) => {
      const report = await runDoctor(dir);
      process.exitCode = report.crashed ? 2 : report.healthy ? 0 : 1;
      process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    });
}

function formatReport(report: DoctorReport): string {
  const lines = [`doctor ${report.dir}`];
  for (const check of report.checks) {
    const mark = check.skipped ? 'skipped' : check.ok ? 'ok' : 'FAIL';
    for (const [i, d] of check.details.entries()) lines.push(`  ${(i === 0 ? mark : '').padEnd(8)}${(i === 0 ? check.id : '').padEnd(11)}${d}`);
  }
  const problems = report.checks.filter((c) => !c.ok).reduce((n, c) => n + (c.skipped ? 0 : c.details.length), 0);
  if (report.crashed) {
    const started = doctorChecks.findIndex((c) => c.reads === report.crashed!.reading);
    for (const c of doctorChecks.slice(started < 0 ? report.checks.length : started)) lines.push(`  ${'-'.padEnd(8)}${c.id.padEnd(11)}not checked`);
    lines.push(
      `the check crashed (${report.crashed.signal.startsWith('SIG') ? `signal ${report.crashed.signal}` : report.crashed.signal}) while reading ${report.crashed.reading}`,
    );
  } else lines.push(report.healthy ? 'healthy' : `${problems} problem${problems === 1 ? '' : 's'} found`);
  return `${lines.join('\n')}\n`;
}
