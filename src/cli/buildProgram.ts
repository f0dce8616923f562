/** @module buildProgram: the `hivestate` commander program with every command registered. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import * as commands from './commands/index.js';

/**
 * Builds the program. Commander errors (unknown command or option, bad value) are printed as one
 * `hivestate: ...` line and thrown as CommanderError for the caller to turn into an exit status.
 * @example await buildProgram().parseAsync(['status', '--json'], { from: 'user' })
 */
export function buildProgram(): Command {
  const program = new Command('hivestate')
    .description('durable actor-model runtime for swarms of agents')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      outputError: (str, write) =>
        write(
          `hivestate: ${str
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    })
    .addHelpText(
      'after',
      `
Start with \`hivestate demo\`, then \`hivestate dashboard\`, \`status\`, \`agents\` or \`tasks\` from
another terminal. Every command takes --help; --data-dir defaults to ./.hivestate.`,
    );
  // Set before registering: commands created afterwards inherit both settings, nested ones too.
  program.exitOverride();
  for (const register of Object.values(commands) as Array<(p: Command) => void>) register(program);
  return program;
}

/** The version in hivestate's package.json (found by walking up from this file: src/ or dist/src/). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hivestate' && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
  }
  return 'unknown';
}
